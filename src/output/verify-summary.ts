// verify's human summary for stderr: one line per step, then each distinct cause and fix once.
import type { ReportStep, VerifyReport } from "../azure/verify/types.js";
import { type Io, oneLine } from "./io.js";

export interface SummaryOptions {
  /** The terminal's width: text is wrapped to it (fixes never are: they are pasted). None: no wrapping. */
  columns?: number;
}

const MARK_WIDTH = 4;

export function verifySummary(report: VerifyReport, p: Io["paint"], o: SummaryOptions = {}): string {
  const width = o.columns !== undefined && o.columns >= 40 ? o.columns : undefined;
  const who = report.identity;
  // Messages, causes and fixes carry server text: escaped, so it cannot drive the terminal.
  const lines = wrap(
    oneLine(
      `verify (${report.mode}, ${report.access}) on ${report.account}${who?.objectId ? ` as ${who.credential ?? "principal"} ${who.objectId}${who.resourceId ? ` (${who.resourceId})` : ""}` : ""}`,
    ),
    width,
    "  ",
  );
  const nameWidth = Math.max(0, ...report.steps.map((s) => s.name.length));
  // "  FAIL  list-containers  ": continuation lines of a step's text start under its text.
  const indent = " ".repeat(2 + MARK_WIDTH + 2 + nameWidth + 2);
  for (const s of report.steps) {
    const text = oneLine(
      `${s.status === "fail" || s.status === "warn" ? `${s.code}: ` : ""}${s.message ?? ""}${s.ms ? ` (${s.ms} ms)` : ""}`,
    );
    const [first = "", ...rest] = wrap(text, width === undefined ? undefined : width - indent.length, "");
    lines.push(`  ${mark(s, p)}  ${oneLine(s.name).padEnd(nameWidth)}  ${first}`.trimEnd());
    for (const more of rest) lines.push(`${indent}${more}`);
  }
  const groups = diagnoses(report.steps);
  for (const g of groups) {
    // Several different diagnoses: each says which steps it explains.
    const label = groups.length > 1 ? `${g.steps.join(", ")}: ` : "";
    if (g.cause) lines.push(...wrap(oneLine(`${label}cause: ${g.cause}`), width, "       "));
    if (g.fix) lines.push(oneLine(`${g.cause ? " ".repeat(label.length) : label}fix:   ${g.fix}`));
  }
  lines.push(
    `result: ${report.result === "pass" ? "PASS" : "FAIL"}${report.attempts > 1 ? ` after ${report.attempts} attempts, ${(report.elapsedMs / 1000).toFixed(1)}s` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

function mark(s: ReportStep, p: Io["paint"]): string {
  if (s.status === "pass") return p.dim("ok  ");
  if (s.status === "fail") return p.err("FAIL");
  if (s.status === "warn") return p.warn("warn");
  return p.dim("skip");
}

interface Diagnosis {
  cause: string | null;
  fix: string | null;
  steps: string[];
}

/** The distinct (cause, fix) pairs of the failed and warned steps, in step order, each with its steps. */
export function diagnoses(steps: ReportStep[]): Diagnosis[] {
  const out: Diagnosis[] = [];
  for (const s of steps) {
    if (!s.cause && !s.fix) continue;
    const same = out.find((d) => d.cause === s.cause && d.fix === s.fix);
    if (same) same.steps.push(s.name);
    else out.push({ cause: s.cause, fix: s.fix, steps: [s.name] });
  }
  return out;
}

/**
 * Word-wraps one line to `width` columns; continuation lines start with `indent`. A word longer than a
 * line (a permission, a resource ID) is broken after a "/"; one with no "/" to break at stays whole.
 */
export function wrap(text: string, width: number | undefined, indent: string): string[] {
  if (width === undefined || [...text].length <= width) return [text];
  const room = Math.max(1, width - [...indent].length);
  // Each piece and whether a space goes before it.
  const pieces = text
    .split(" ")
    .flatMap((word) => piecesOf(word, room).map((piece, i) => ({ piece, spaced: i === 0 })));
  const lines: string[] = [];
  let line = "";
  for (const [n, { piece, spaced }] of pieces.entries()) {
    const next = n === 0 ? piece : `${line}${spaced ? " " : ""}${piece}`;
    if ([...next].length > width && line.trim() !== "") {
      lines.push(line);
      line = `${indent}${piece}`;
    } else line = next;
  }
  lines.push(line);
  return lines;
}

/** A word as pieces of at most `room` columns, each ending at a "/" where the word has one. */
function piecesOf(word: string, room: number): string[] {
  if ([...word].length <= room || !word.includes("/")) return [word];
  const out: string[] = [];
  let piece = "";
  for (const part of word.split(/(?<=\/)/)) {
    if (piece !== "" && [...piece].length + [...part].length > room) {
      out.push(piece);
      piece = part;
    } else piece += part;
  }
  out.push(piece);
  return out;
}
