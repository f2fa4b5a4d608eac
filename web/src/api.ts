// Talking to the Venus API: one fetch wrapper that sends the token (when the server wants one),
// and turns the API's error shape ({ok: false, error, status, field, position}) into ApiError.

import { signal } from "@preact/signals";

const TOKEN_KEY = "venus.token";
const REGIONS_KEY = "venus.regions";

/** Set when the server answered 401: the console asks for a token. */
export const tokenNeeded = signal(false);

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly field?: string,
              readonly position?: number, readonly reason?: string) {
    super(message);
  }
}

export type Params = Record<string, string | number | boolean | string[] | undefined | null>;

export function apiUrl(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) search.append(key, String(one));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

export function authHeaders(): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  tokenNeeded.value = false;
}

/** Venus's public endpoint in one region, as the service catalog lists it at a Keystone login. */
export type RegionEndpoint = { region: string; url: string };

/** The endpoints the last Keystone login found: the console offers the other regions' Venus. */
export function regions(): RegionEndpoint[] {
  try {
    return JSON.parse(sessionStorage.getItem(REGIONS_KEY) ?? "[]") as RegionEndpoint[];
  } catch {
    return [];
  }
}

/** Log in to Keystone through the server; keeps the token and the catalog's endpoints. */
export async function keystoneLogin(credentials: Record<string, string>): Promise<void> {
  const logged = await api<{ token: string; endpoints: RegionEndpoint[] }>("/api/v1/auth/keystone", {},
                                                                          { method: "POST", json: credentials });
  sessionStorage.setItem(REGIONS_KEY, JSON.stringify(logged.endpoints));
  setToken(logged.token);
}

/** A request to the API; the JSON answer, or ApiError. `signal` cancels it (a newer search). */
export async function api<T>(path: string, params: Params = {},
                             init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(apiUrl(path, params), {
    ...rest, headers: { ...headers, ...(rest.headers as Record<string, string> | undefined) },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401) tokenNeeded.value = true;
    throw new ApiError(body?.error ?? `HTTP ${response.status}`, response.status, body?.field, body?.position,
                       body?.reason);
  }
  return body as T;
}

/** An error as the console shows it: an ApiError as it is, anything else wrapped. */
export const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(String(e), 0));

export const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

/** Save what the API answers at `url` as a file. Without a token the browser streams it straight
 * to disk; with one, the answer is fetched with the token and saved from memory. */
export async function download(url: string, filename: string): Promise<void> {
  const headers = authHeaders();
  if (!headers.Authorization) {
    window.location.assign(url);
    return;
  }
  const response = await fetch(url, { headers });
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(body?.error ?? `HTTP ${response.status}`, response.status, body?.field);
  }
  saveBlob(await response.blob(), filename);
}

/** Save what the console holds as a file. */
export function saveBlob(blob: Blob, filename: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}

// -- the shapes the console reads -------------------------------------------------------------

export type LogLine = {
  id: string; ts: string; host: string; service: string; program: string; source: string; offset: number;
  pid: number; level: string; logger: string; request_id: string; global_request_id: string; user_id: string;
  project_id: string; instance_id: string; message: string; http_method: string; http_path: string;
  http_status: number; http_time_ms: number | null; template_id: number; attrs: Record<string, string>;
  [field: string]: unknown;
};

export type HighlightTerm = import("./highlight").HighlightTerm;

export type SearchPage = { total: number | null; count: number; next_cursor: string | null; took_ms: number;
                           hits: LogLine[]; highlight: HighlightTerm[] };
export type Bucket = { time: string; count: number; errors: number; warnings: number; levels: Record<string, number> };
export type Histogram = { interval_seconds: number; buckets: Bucket[]; total: number };
export type Facet = { field: string; values: { value: string | number; count: number }[]; timed_out: boolean };
export type FieldInfo = { name: string; kind: string; doc: string };
export type Fields = { fields: FieldInfo[]; aliases: Record<string, string>; attrs: string[] };
export type QueryCheck = { valid: true; query: string; highlight: HighlightTerm[] }
  | { valid: false; error: string; position: number | null; reason: string };
export type Context = { line: LogLine; before: LogLine[]; after: LogLine[] };

export type Span = { service: string; program: string; host: string; request_id: string; parent: string | null;
                     start: string; end: string; duration_ms: number; line_count: number; error_count: number;
                     first_error: string | null; line_ids: string[] };
export type Chain = { id: string; kind: "request" | "instance" | "unknown"; part_of: string | null; truncated: boolean;
                      start: string | null; end: string | null; duration_ms: number; line_count: number;
                      error_count: number; first_error: string | null; services: string[]; spans: Span[];
                      lines: LogLine[] };

export type Labels = Record<string, string>;
export type AnomalyKind = "new_template" | "spike" | "drop";
export type AlertRule = {
  id: string; name: string; description: string; query: string; signature: string | null; template_id: number | null;
  condition: "count" | "rate" | "ratio" | "absence" | "anomaly"; op: "above" | "below"; threshold: number;
  numerator: string | null; kinds: AnomalyKind[] | null;
  window: number; lookback: number; group_by: string[]; for: number; severity: "critical" | "error" | "warning" | "info";
  labels: Labels; channels: string[]; renotify: number; notify_resolved: boolean; samples: number; enabled: boolean;
  states?: Record<string, number>; [field: string]: unknown;
};
export type AlertState = { rule_id: string; rule: string; group_key: string; labels: Labels; state: string; since: string;
                           value: number; threshold: number; last_eval: string | null; last_notified: string | null };
export type AlertEvent = { id: number; time: string; rule_id: string; rule: string; labels: Labels; kind: string;
                           state: string | null; previous: string | null; value: number | null; threshold: number | null;
                           channel: string | null; status: string | null; error: string | null };
export type Preview = { at: string; threshold: number; breached: number;
                        groups: { group: Labels; value: number; count: number; breached: boolean }[];
                        history?: { step_seconds: number; breached_moments: number;
                                    moments: { at: string; threshold: number; value: number; breached: number; groups: Labels[] }[] } };
export type Matcher = { name: string; op: "=" | "!=" | "=~" | "!~"; value: string };
export type Silence = { id: string; matchers: Matcher[]; starts_at: string; ends_at: string; comment: string;
                        created_by: string; active: boolean };
export type Channel = { id: string; name: string; type: string; settings: Record<string, unknown>; template: string | null;
                        enabled: boolean };
export type AnomalyRule = { id: string; title: string; desc: string; keyword: string; log_type: "flog" | "slog"; module: string;
                            enabled: boolean; match_case: boolean; channels: string[] };
export type AnomalyRecord = { id: string; rule_id: string; title: string; module: string; keyword: string; count: number;
                              first_line: string; first_line_id: string; start_time: string; end_time: string };
export type Task = { name: string; description: string; schedule: string; enabled: boolean; next_run: string | null;
                     running: boolean; running_on: string | null; last_run: string | null; last_duration: number | null;
                     last_outcome: string | null; last_error: string | null };
export type Setting = { key: string; value: string; default: string; help: string };
