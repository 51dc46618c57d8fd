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
 * Follow a session's events with the browser's own EventSource (SSE), authenticated by a
 * short-lived stream ticket in the URL — never the session token. Calls `onEvent` once per seq:
 * the `seen` set is shared with the data channel, which mirrors the same events, so whichever
 * delivers an event first wins and the other copy is dropped.
 *
 * EventSource reconnects by itself (with Last-Event-ID) while its ticket lives. When it gives up
 * (readyState CLOSED: the ticket expired at a reconnect), a fresh ticket opens a new EventSource
 * from the last seq seen. If one fails before it ever opened, SSE does not get through here (a
 * proxy that blocks it, or trouble at the first connect): the page falls back to long-poll.
 * Resolves when the session is over and fully delivered, or when `signal` aborts.
 */
export async function followEvents(id, token, { after = 0, onEvent, seen, signal }) {
  let last = after;
  const track = (event) => {
    if (typeof event.seq === "number") last = Math.max(last, event.seq);
    deliver(event, seen, onEvent);
  };
  for (;;) {
    const outcome = await streamOnce(id, token, last, track, signal);
    if (outcome === "over" || signal?.aborted) return;
    if (outcome === "unavailable") return pollEvents(id, token, { after: last, onEvent: track, signal });
    // "expired": the stream worked but its ticket ran out; open a new one from `last`.
  }
}

/** One EventSource on one ticket: resolves "over" | "expired" (it had opened) | "unavailable". */
async function streamOnce(id, token, after, onEvent, signal) {
  let ticket;
  try {
    ticket = await api(`${sessionPath(id)}/stream-ticket`, { method: "POST", token, signal });
  } catch (err) {
    if (signal?.aborted) return "over";
    if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw err;
    // Storage or network trouble: wait as told (or 2 s), then try a new ticket.
    await new Promise((r) => setTimeout(r, 1000 * (err.retryAfter || 2)));
    return "expired";
  }
  return new Promise((resolve) => {
    const source = new EventSource(`${ticket.stream_url}&after=${after}`);
    let opened = false;
    const stop = (outcome) => { source.close(); resolve(outcome); };
    signal?.addEventListener("abort", () => stop("over"), { once: true });
    source.onopen = () => { opened = true; };
    // No `event:` line on this stream: every event is a `message`; switch on the JSON `type`.
    source.onmessage = (m) => {
      const event = JSON.parse(m.data);
      onEvent(event);
      if (event.type === "status_update" && TERMINAL.has(event.data.status)) stop("over");
    };
    // Connection trouble. A stream that never opened does not get through here: long-poll.
    // Once it has worked, EventSource retries by itself while CONNECTING; CLOSED means it gave
    // up (a 401 after the ticket expired, or a 204: the session is over and delivered).
    source.onerror = () => {
      if (!opened) stop("unavailable");
      else if (source.readyState === EventSource.CLOSED) stop("expired");
    };
  });
}

/**
 * Follow a session's events by long-poll (works everywhere and sends the token as a header):
 * the fallback when EventSource cannot get through. Same `onEvent` contract as above.
 */
export async function pollEvents(id, token, { after = 0, onEvent, signal }) {
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
    for (const event of page.events) onEvent(event);
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
