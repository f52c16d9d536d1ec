// doctor's human summary for stderr: where it runs, each credential of the chain, who the winner is,
// the subscription and ARM. Every value that came from outside (error texts, names) is one plain line.
import type { DoctorReport } from "../azure/doctor/index.js";
import { type Io, oneLine } from "./io.js";

const HOSTS: Record<DoctorReport["host"]["kind"], string> = {
  webapp: "App Service web app",
  functionapp: "Azure Functions app",
  containerapp: "container app",
  "github-actions": "GitHub Actions job",
  kubernetes: "Kubernetes pod with workload identity",
  vm: "virtual machine",
  machine: "a machine no Azure host claims (a developer's machine, or a VM: only IMDS can tell)",
};

export function doctorSummary(r: DoctorReport, p: Io["paint"]): string {
  const h = r.host;
  const where = h.name
    ? `${HOSTS[h.kind]} ${h.name}${h.resourceGroup ? ` (${h.resourceGroup})` : ""}`
    : HOSTS[h.kind];
  const lines = [oneLine(`host: ${where}${h.evidence.length ? ` [${h.evidence.join(", ")}]` : ""}`)];
  lines.push(
    oneLine(
      `identity endpoint: ${h.identityEndpoint ? `${h.identityEndpoint.url} (${h.identityEndpoint.variable})` : "none set (the SDK would try IMDS)"}${h.oidc === undefined ? "" : `; OIDC token request ${h.oidc ? "allowed" : "not allowed (no id-token: write)"}`}`,
    ),
  );
  lines.push(`credentials (${r.chain.source}):`);
  const width = Math.max(...r.chain.credentials.map((c) => c.name.length));
  for (const c of r.chain.credentials) {
    const mark =
      c.status === "available"
        ? p.dim("ok  ")
        : c.status === "failed"
          ? p.err("FAIL")
          : c.status === "unavailable"
            ? p.warn("no  ")
            : p.dim("skip");
    const status =
      c.status === "unavailable" ? "not available" : c.status === "not-tried" ? "not tried" : c.status;
    lines.push(
      `  ${mark} ${oneLine(`${c.name.padEnd(width)}  ${status}${c.ms === null ? "" : ` (${c.ms} ms)`}${c.reason ? `: ${c.reason}` : ""}`)}`,
    );
  }
  const who = r.identity;
  if (r.winner && who) {
    const name = who.userName ?? who.resourceId ?? who.appId ?? "";
    lines.push(
      oneLine(
        `winner: ${r.winner}, ${who.type} ${who.objectId ?? "(no object ID in the token)"}${name ? ` (${name})` : ""}, tenant ${who.tenantId ?? "unknown"}`,
      ),
    );
  } else lines.push(`winner: none ${p.err("(no credential works)")}`);
  const f = r.federation;
  if (f) {
    lines.push(
      oneLine(
        `federated token: subject '${f.subject ?? "unknown"}', issuer ${f.issuer ?? "unknown"}, audience ${f.audience ?? "unknown"}; identity: client ID ${f.clientId ?? "unset"}${f.principalId ? `, principal ${f.principalId}` : ""}`,
      ),
    );
    if (f.refused) {
      lines.push(oneLine(`  ${p.err("refused")}: ${f.refused.message}`));
      lines.push(
        oneLine(
          f.accepts
            ? `  the identity accepts: ${f.accepts.length ? f.accepts.map((s) => `'${s}'`).join(", ") : "no subject (it has no federated credential for this issuer)"}`
            : `  the subjects it accepts are unknown: ${f.acceptsUnknown ?? "not asked"}`,
        ),
      );
    }
  }
  // From here on, every line is plain text with values from outside: each is made one line.
  const tail: string[] = [];
  tail.push(
    `subscription: ${r.subscription ? `${r.subscription.id}${r.subscription.name ? ` (${r.subscription.name})` : ""} from ${r.subscription.source}` : "none chosen"}`,
  );
  if (r.arm)
    tail.push(
      `ARM: ${r.arm.endpoint} ${r.arm.answers ? `answered in ${r.arm.ms} ms` : "did not answer"}${r.arm.subscriptions === null ? "" : `, ${r.arm.subscriptions} subscription(s) visible`}${r.arm.error ? `: ${r.arm.error}` : ""}`,
    );
  else tail.push("ARM: not checked (no credential works)");
  for (const s of r.suggestions) tail.push(`suggestion: ${s}`);
  return `${[...lines, ...tail.map(oneLine)].join("\n")}\n`;
}
