// Clinician view of a finished intake: disposition with the rules behind it and their sources,
// findings with the words they came from, what the reading did not interpret, the transcript,
// and the FHIR R4 Bundle. Reads only GET …/summary and GET …/events (docs/api.md).
import { api, sessionPath } from "./api.js";

const $ = (id) => document.getElementById(id);
const DETAILS = ["onset", "duration_hours", "site", "laterality", "character", "radiation",
  "timing", "aggravating", "relieving", "severity", "value"];

const params = new URLSearchParams(location.search);
$("session-id").value = params.get("session") || "";
// Opened from the intake page in the same tab: reuse its token instead of asking again.
const saved = JSON.parse(sessionStorage.getItem("intake.session") || "null");
if (saved && saved.id === $("session-id").value) $("session-token").value = saved.token;

$("open-form").addEventListener("submit", (e) => { e.preventDefault(); load().catch(notice); });
$("fhir").addEventListener("click", () => downloadFhir().catch(notice));
if ($("session-id").value && $("session-token").value) load().catch(notice);

function credentials() {
  return { id: $("session-id").value.trim(), token: $("session-token").value.trim() };
}

async function load() {
  const { id, token } = credentials();
  const { summary } = await api(`${sessionPath(id)}/summary`, { token });
  const utterances = await finalUtterances(id, token);
  notice("");
  $("report").hidden = false;
  showDisposition(summary);
  showFindings(summary, utterances);
  fill("not-interpreted", summary.not_interpreted.length ? summary.not_interpreted : ["—"]);
  $("transcript").replaceChildren(...[...utterances.values()].map(({ role, text }) => {
    const li = document.createElement("li");
    li.className = role;
    li.dataset.role = role;
    li.textContent = text;
    return li;
  }));
}

/** Every final transcript chunk of the session, by item id, in log order. */
async function finalUtterances(id, token) {
  const utterances = new Map();
  let after = 0;
  for (;;) {
    const page = await api(`${sessionPath(id)}/events?after=${after}`, { token });
    for (const { type, data } of page.events) {
      if (type === "transcript_chunk" && data.final) utterances.set(data.item_id, data);
    }
    if (page.events.length === 0) return utterances;
    after = page.next_after;
  }
}

function showDisposition(summary) {
  const { disposition, red_flags: flags } = summary;
  $("level").textContent = disposition.level.replace("_", " ");
  $("level").className = `level-${disposition.level}`;
  $("advice").textContent = disposition.advice + (disposition.cautious ? " (raised: thin evidence)" : "");
  // matched_rules are rule ids; the red-flag hits carry each rule's title and published source.
  const byId = new Map(flags.map((f) => [f.rule_id, f]));
  $("rules").replaceChildren(...disposition.matched_rules.map((ruleId) => {
    const hit = byId.get(ruleId) || {};
    return row([ruleId, hit.title || "", hit.source || "", hit.rationale || ""]);
  }));
  fill("rationale", disposition.rationale);
}

function showFindings(summary, utterances) {
  const groups = [["present", summary.findings_present], ["absent", summary.findings_absent],
    ["uncertain", summary.findings_uncertain]];
  $("findings").replaceChildren(...groups.flatMap(([presence, findings]) => findings.map((f) => {
    const details = DETAILS.filter((k) => f[k] != null).map((k) => `${k}: ${f[k]}`);
    // Evidence: the patient's own words, cut from the utterance the span points into.
    const evidence = f.provenance.map(({ item_id, start, end }) => {
      const text = utterances.get(item_id)?.text;
      if (!text) return `(utterance ${item_id})`;
      // A bare "No." to a yes/no question points at no words: the whole answer is the evidence.
      const words = text.slice(start, end).trim();
      return `“${words || text}”`;
    });
    return row([f.label, presence, details.join("; "), evidence.join(" ")]);
  })));
}

async function downloadFhir() {
  const { id, token } = credentials();
  // The token goes in a header, so the download is fetched and handed over as a Blob.
  const bundle = await api(`${sessionPath(id)}/summary?format=fhir`, { token });
  const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)],
    { type: "application/fhir+json" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: `intake-${id}.fhir.json` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.replaceChildren(...cells.map((text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }));
  return tr;
}

function fill(listId, items) {
  $(listId).replaceChildren(...items.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
}

function notice(message) {
  $("notice").textContent = message instanceof Error ? message.message : String(message);
}
