// The public HTTP API and the event feed, shared by the intake and clinician pages.
// Everything here follows docs/api.md; nothing depends on server internals.

/** An API error carrying the problem+json `code` (stable) and `Retry-After` seconds. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "http_" + status;
    this.retryAfter = retryAfter;
  }
}

/** Call the API; `token` (the session token) goes in the Authorization header, never the URL. */
export async function api(path, { method = "GET", token, body, signal } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    throw new ApiError(response.status, payload, retryAfter);
  }
  return payload;
}

export const sessionPath = (id) => `/api/intake/sessions/${encodeURIComponent(id)}`;

export const TERMINAL = new Set(["completed", "failed", "expired", "ended"]);

/**
 * Follow a session's events by long-poll (it works everywhere, Azure Functions included, and
 * sends the token as a header — browsers' EventSource cannot). Calls `onEvent` once per seq:
 * the `seen` set is shared with the data channel, which mirrors the same events, so whichever
 * delivers an event first wins and the other copy is dropped.
 * Returns when the session is over and fully delivered, or when `signal` aborts.
 */
export async function followEvents(id, token, { after = 0, onEvent, seen, signal }) {
  for (;;) {
    let page;
    try {
      page = await api(`${sessionPath(id)}/events?after=${after}&wait=25`, { token, signal });
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
      // Storage or network trouble: wait as told (or 2 s) and resume from the same cursor.
      await new Promise((r) => setTimeout(r, 1000 * (err.retryAfter || 2)));
      continue;
    }
    for (const event of page.events) deliver(event, seen, onEvent);
    after = page.next_after;
    if (page.events.length === 0 && TERMINAL.has(page.status)) return;
  }
}

/** De-duplicate by `seq` (the same event may come from long-poll and the data channel). */
export function deliver(event, seen, onEvent) {
  if (typeof event.seq !== "number" || seen.has(event.seq)) return;
  seen.add(event.seq);
  onEvent(event);
}
