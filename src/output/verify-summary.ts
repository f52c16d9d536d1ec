// verify's human summary for stderr: one line per step, with the cause and fix of each failure.
import type { VerifyReport } from "../azure/verify/types.js";
import { type Io, oneLine } from "./io.js";

export function verifySummary(report: VerifyReport, p: Io["paint"]): string {
  const who = report.identity;
  // Messages, causes and fixes carry server text: escaped, so it cannot drive the terminal.
  const lines = [
    oneLine(
      `verify (${report.mode}, ${report.access}) on ${report.account}${who?.objectId ? ` as ${who.credential ?? "principal"} ${who.objectId}${who.resourceId ? ` (${who.resourceId})` : ""}` : ""}`,
    ),
  ];
  for (const s of report.steps) {
    const mark =
      s.status === "pass"
        ? p.dim("ok  ")
        : s.status === "fail"
          ? p.err("FAIL")
          : s.status === "warn"
            ? p.warn("warn")
            : p.dim("skip");
    lines.push(
      `  ${mark} ${oneLine(`${s.name.padEnd(18)} ${s.status === "fail" || s.status === "warn" ? `${s.code}: ` : ""}${s.message ?? ""}${s.ms ? ` (${s.ms} ms)` : ""}`)}`,
    );
    if (s.cause) lines.push(`       cause: ${oneLine(s.cause)}`);
    if (s.fix) lines.push(`       fix:   ${oneLine(s.fix)}`);
  }
  lines.push(
    `result: ${report.result === "pass" ? "PASS" : "FAIL"}${report.attempts > 1 ? ` after ${report.attempts} attempts, ${(report.elapsedMs / 1000).toFixed(1)}s` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}
