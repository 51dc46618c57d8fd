// Reference intake client: consent → session → WebRTC call → live transcript → result.
// Uses only the public API (docs/api.md): the HTTP routes, the event stream (EventSource with a
// stream ticket; long-poll if SSE cannot get through) and the WebRTC data channel. Plain ES module, no build step — copy it and restyle it.
import { api, ApiError, deliver, followEvents, sessionPath, TERMINAL } from "./api.js";

const $ = (id) => document.getElementById(id);
// The session survives a page reload in this tab only (sessionStorage), never in the URL.
const STORE_KEY = "intake.session";
const OFFER_ATTEMPTS = 6;

let call = null; // {id, token, iceServers, pc, channel, seen, items, abort, stopMeter, offering}

// --- wiring -------------------------------------------------------------------------------

$("consent").addEventListener("change", () => { $("start").disabled = !$("consent").checked; });
$("start").addEventListener("click", startIntake);
$("typed-form").addEventListener("submit", sendTyped);
$("hangup").addEventListener("click", hangUp);
$("new-intake").addEventListener("click", () => {
  sessionStorage.removeItem(STORE_KEY);
  location.reload();
});
resumeAfterReload();

// --- starting and resuming ----------------------------------------------------------------

async function startIntake() {
  $("start").disabled = true;
  try {
    const created = await api("/api/intake/sessions", {
      method: "POST", body: { user_language: $("language").value },
    });
    const saved = {
      id: created.session_id, token: created.session_token, iceServers: created.ice_servers,
    };
    sessionStorage.setItem(STORE_KEY, JSON.stringify(saved));
    openCall(saved);
    follow(0);
    await connect();
  } catch (err) {
    notice(err);
    $("start").disabled = false;
  }
}

/** After a reload: replay the log (transcript, result), then — on the patient's click — offer
 *  again if the session can still take a call. A call whose page went away cannot be re-attached while its host
 *  holds it: the host ends it (ICE fails) and the log says so. */
async function resumeAfterReload() {
  const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
  if (!saved) return;
  openCall(saved);
  try {
    const session = await api(sessionPath(saved.id), { token: saved.token });
    // Catch up without reacting to old status changes (an old `reconnecting` is history).
    let after = 0;
    for (;;) {
      const page = await api(`${sessionPath(saved.id)}/events?after=${after}`, { token: saved.token });
      for (const event of page.events) deliver(event, call.seen, (e) => onEvent(e, false));
      after = page.next_after;
      if (page.events.length === 0) break;
    }
    setStatus(session.status);
    if (TERMINAL.has(session.status)) return finish(session.status, session.status_detail);
    follow(after);
    // Browsers play audio (the agent's voice) only after a user gesture: ask for one.
    $("resume").hidden = false;
    $("resume").addEventListener("click", () => {
      $("resume").hidden = true;
      connect().catch(notice);
    }, { once: true });
  } catch (err) {
    notice(err);
  }
}

function openCall(saved) {
  call = { ...saved, seen: new Set(), items: new Map(), abort: new AbortController() };
  $("start-panel").hidden = true;
  $("call-panel").hidden = false;
  $("clinician-link").href = `/clinician.html?session=${encodeURIComponent(saved.id)}`;
}

function follow(after) {
  followEvents(call.id, call.token, {
    after, seen: call.seen, signal: call.abort.signal, onEvent: (e) => onEvent(e, true),
  }).catch(notice);
}

// --- the WebRTC call ----------------------------------------------------------------------

/** One fresh RTCPeerConnection per offer (also for a resume after `reconnecting`). */
async function connect() {
  if (call.offering) return;
  call.offering = true;
  try {
    closePeer();
    const pc = new RTCPeerConnection({ iceServers: call.iceServers || [] });
    call.pc = pc;
    const mic = await microphone();
    if (mic) {
      mic.getAudioTracks().forEach((track) => pc.addTrack(track, mic));
      call.stopMeter = startMeter(mic);
    } else {
      // The media host ends a call that sends no audio for 10 s (it takes that for a lost
      // connection), so a page without a microphone sends silence — and still hears the agent.
      const silence = silentStream();
      silence.stream.getAudioTracks().forEach((track) => pc.addTrack(track, silence.stream));
      call.stopMeter = silence.stop;
    }
    pc.ontrack = (e) => { $("agent-audio").srcObject = e.streams[0] || new MediaStream([e.track]); };

    // The browser creates the data channel, labelled "events", before the offer. It mirrors
    // every event (usually before the event stream has it) and takes typed answers.
    const channel = pc.createDataChannel("events");
    call.channel = channel;
    channel.onopen = () => { $("send").disabled = false; };
    channel.onclose = () => { $("send").disabled = true; };
    channel.onmessage = (m) => {
      const message = JSON.parse(m.data);
      if (typeof message.seq === "number") deliver(message, call.seen, (e) => onEvent(e, true));
      else if (message.type === "error") notice(message.message); // a refused typed message
    };

    await pc.setLocalDescription(await pc.createOffer());
    // No trickle needed: wait (briefly) for ICE gathering so the offer carries the candidates.
    await gatheringComplete(pc, 3000);
    const answer = await offerWithRetry(pc.localDescription.sdp);
    if (answer) await pc.setRemoteDescription(answer);
  } finally {
    call.offering = false;
  }
}

/** The call's media host died: offer again from a fresh peer connection — unless the event is
 *  stale (delivered late, after an offer of ours already moved the session on). */
async function reconnect() {
  const session = await api(sessionPath(call.id), { token: call.token });
  if (session.status === "reconnecting") await connect();
}

/** POST the offer; wait and retry when the API says so (no host free yet, rate limited). */
async function offerWithRetry(sdp) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api(`${sessionPath(call.id)}/offer`, {
        method: "POST", token: call.token, body: { type: "offer", sdp },
      });
    } catch (err) {
      const retryable = err instanceof ApiError && (err.status === 429 || err.status === 503);
      if (err instanceof ApiError && err.code === "offer_already_accepted") {
        notice("This call is still held by the previous page; it will be ended shortly.");
        return null;
      }
      if (!retryable || attempt >= OFFER_ATTEMPTS) throw err;
      notice(`All lines are busy; retrying in ${err.retryAfter || 5} s…`);
      await new Promise((r) => setTimeout(r, 1000 * (err.retryAfter || 5)));
    }
  }
}

function gatheringComplete(pc, timeoutMs) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);
  });
}

async function microphone() {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true } });
  } catch {
    notice("No microphone: type your answers below.");
    $("typed").focus();
    return null;
  }
}

/** A silent audio track (a muted oscillator): keeps the call's audio flowing without a mic. */
function silentStream() {
  const context = new AudioContext();
  const oscillator = context.createOscillator();
  const mute = context.createGain();
  mute.gain.value = 0;
  const sink = context.createMediaStreamDestination();
  oscillator.connect(mute).connect(sink);
  oscillator.start();
  return { stream: sink.stream, stop: () => context.close() };
}

/** Microphone level meter: RMS of the input, drawn every animation frame. */
function startMeter(stream) {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const draw = () => {
    analyser.getFloatTimeDomainData(samples);
    const rms = Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length);
    $("mic-level").value = Math.min(1, rms * 4);
    frame = requestAnimationFrame(draw);
  };
  draw();
  return () => { cancelAnimationFrame(frame); context.close(); };
}

/** Closing the peer connection is the page's duty when a call ends (docs/api.md). */
function closePeer() {
  call.stopMeter?.();
  call.stopMeter = null;
  call.pc?.getSenders().forEach((s) => s.track?.stop());
  call.pc?.close();
  call.pc = null;
  $("send").disabled = true;
}

function sendTyped(e) {
  e.preventDefault();
  const text = $("typed").value.trim();
  if (!text || call?.channel?.readyState !== "open") return;
  call.channel.send(JSON.stringify({ type: "text", text }));
  $("typed").value = "";
}

async function hangUp() {
  try {
    await api(sessionPath(call.id), { method: "DELETE", token: call.token });
  } catch (err) {
    notice(err);
  }
  closePeer();
}

// --- events -------------------------------------------------------------------------------

/** `live` is false while replaying history after a reload: render it, but do not act on it. */
function onEvent(event, live) {
  const data = event.data;
  switch (event.type) {
    case "transcript_chunk": return showChunk(data);
    case "red_flag": return showBanner(data);
    case "symptom_complete": return showResult(data.summary);
    case "error": return notice(data.message);
    case "status_update":
      setStatus(data.status);
      if (!live) return;
      if (data.status === "reconnecting") return reconnect().catch(notice);
      if (TERMINAL.has(data.status)) return finish(data.status, data.detail);
      return;
    default: return; // unknown types are ignored (the contract may add some)
  }
}

/** Deltas append to the utterance's line; the final chunk replaces them with the whole text. */
function showChunk({ role, item_id, text, final }) {
  let line = call.items.get(item_id);
  if (!line) {
    line = document.createElement("li");
    line.className = `${role} partial`;
    line.dataset.role = role;
    call.items.set(item_id, line);
    $("transcript").append(line);
  }
  line.textContent = final ? text : line.textContent + text;
  if (final) {
    line.classList.remove("partial");
    if (role === "agent") $("question").textContent = text;
  }
}

function showBanner({ level, title, advice }) {
  const banner = $("banner");
  // An emergency banner is never downgraded by a later, lower-level flag.
  if (banner.classList.contains("emergency") && level !== "emergency") return;
  banner.className = level;
  $("banner-title").textContent = title;
  $("banner-advice").textContent = advice;
  banner.hidden = false;
}

function showResult(summary) {
  const { disposition } = summary;
  $("result-panel").hidden = false;
  $("disposition").textContent = `Disposition: ${disposition.level.replace("_", " ")}`;
  $("disposition").className = `level-${disposition.level}`;
  $("advice").textContent = disposition.advice;
  const rows = [
    ["Main complaint", summary.chief_complaint_label || "—"],
    ["Symptoms", summary.findings_present.map((f) => f.label).join(", ") || "—"],
    ["Warning signs", summary.red_flags.map((f) => f.title).join(", ") || "none"],
  ];
  $("summary").replaceChildren(...rows.flatMap(([term, value]) => {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    return [dt, dd];
  }));
}

async function finish(status, detail) {
  closePeer();
  $("hangup").disabled = true;
  $("result-panel").hidden = false;
  if (status === "completed" && !$("disposition").textContent) {
    try {
      showResult((await api(`${sessionPath(call.id)}/summary`, { token: call.token })).summary);
    } catch (err) {
      notice(err);
    }
  } else if (status !== "completed") {
    notice(`The call is over (${status}${detail ? ": " + detail : ""}).`);
  }
}

function setStatus(status) {
  $("status").textContent = status;
}

function notice(message) {
  $("notice").textContent = message instanceof Error ? message.message : String(message);
}
