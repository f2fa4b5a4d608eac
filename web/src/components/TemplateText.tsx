// A template as the console shows it: the fixed text, and its variables (<NUM>, <IP>, <*> …)
// coloured apart; a template the catalogue does not know is shown by its id.

const VARIABLE = /<(?:TIME|UUID|IP|NUM|PATH|\*)>/g;

export function TemplateText({ text, id }: { text: string | null; id: number }) {
  if (text === null) return <>#{id}</>;
  const parts: (string | preact.JSX.Element)[] = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE)) {
    parts.push(text.slice(last, m.index));
    parts.push(<span key={m.index} class="variable">{m[0]}</span>);
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(text.slice(last));
  return <>{parts}</>;
}
