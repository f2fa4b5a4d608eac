// A GET the view shows: its answer, its error, whether it is loading, and a way to ask again
// (after a change the view made).

import { useEffect, useState } from "preact/hooks";
import { api, ApiError, asApiError, type Params } from "./api";

export type Loaded<T> = { data: T | null; error: ApiError | null; loading: boolean; reload: () => void };

export function useApi<T>(path: string | null, params: Params = {}): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [asked, setAsked] = useState(0);
  const key = `${path}?${JSON.stringify(params)}#${asked}`;
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    api<T>(path, params, { signal: abort.signal })
      .then((answer) => { setData(answer); setError(null); setLoading(false); })
      .catch((e) => {
        if (abort.signal.aborted) return;
        setError(asApiError(e));
        setLoading(false);
      });
    return () => abort.abort();
  }, [key]);
  return { data, error, loading, reload: () => setAsked((n) => n + 1) };
}
