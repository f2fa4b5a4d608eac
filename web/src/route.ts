// The console's location: the path picks the view, the query string holds the view's state, so
// a URL restores what was on the screen (share it, reload it, go back to it).

import { signal } from "@preact/signals";
import { DEFAULT_RANGE, type TimeRange } from "./timerange";

export const location = signal(new URL(window.location.href));

window.addEventListener("popstate", () => {
  location.value = new URL(window.location.href);
});

/** Go to a path with these parameters; `replace` rewrites the current history entry (typing,
 * not a new view). */
export function navigate(path: string, params: Record<string, string | undefined> = {}, replace = false): void {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") url.searchParams.set(key, value);
  if (url.href === window.location.href) return;
  if (replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  location.value = url;
}

/** The call chain view of a request id or an instance UUID. */
export const chainPath = (id: string) => `/chain/${encodeURIComponent(id)}`;

// A time range in the URL: `from=all` is the open start ("" in a TimeRange).
export function rangeFromUrl(url: URL, fallback: TimeRange = DEFAULT_RANGE): TimeRange {
  const from = url.searchParams.get("from") ?? fallback.from;
  return { from: from === "all" ? "" : from, to: url.searchParams.get("to") ?? fallback.to };
}

export const rangeToUrl = (range: TimeRange) => ({ from: range.from === "" ? "all" : range.from, to: range.to });

/** Discover showing the lines of a query over a time range. */
export const openDiscover = (q: string, range: TimeRange) => navigate("/discover", { q, ...rangeToUrl(range) });
