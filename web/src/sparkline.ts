// A sparkline's shape: a series drawn as an SVG path in a small box.

/** The SVG path of a sparkline of `values` in a `width` × `height` box (the highest value at
 * the top; all zero is a flat line at the bottom). */
export function sparkPath(values: number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const top = Math.max(...values, 0);
  const x = (i: number) => (values.length === 1 ? width / 2 : (i / (values.length - 1)) * width);
  const y = (v: number) => (top === 0 ? height : height - (v / top) * height);
  return values.map((v, i) => `${i ? "L" : "M"}${round(x(i))},${round(y(v))}`).join(" ");
}

const round = (n: number) => Math.round(n * 10) / 10;
