import { sparkPath } from "../sparkline";

/** A series as a small line: its shape, not its figures (the table beside it has those). */
export function Sparkline({ values, colour = "#dc2626" }: { values: number[]; colour?: string }) {
  return (
    <svg class="sparkline" width="120" height="24" viewBox="-1 -1 122 26" aria-hidden="true">
      <path d={sparkPath(values, 120, 24)} fill="none" stroke={colour} stroke-width="1.5" />
    </svg>
  );
}
