// Following new matching lines: /api/v1/tail's Server-Sent Events read through fetch (unlike
// EventSource, fetch can send the API token).

import { apiUrl, authHeaders, type LogLine } from "./api";

/** Reads the stream until `signal` aborts; each line goes to `onLine`. */
export async function followTail(query: string, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(apiUrl("/api/v1/tail", { q: query, lines: 50 }), {
    headers: { Accept: "text/event-stream", ...authHeaders() }, signal,
  });
  if (!response.ok || !response.body) {
    const body = await response.json().catch(() => null);
    throw new Error(body?.error ?? `HTTP ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      if (data) onLine(JSON.parse(data) as LogLine);
    }
  }
}
