// miauth doctor's action: the report (src/azure/doctor/), its summary on stderr, exit 4 when no
// credential works. Loaded only when doctor runs (its definition, ./doctor.ts, is what --help loads).
import { runDoctor } from "../azure/doctor/index.js";
import type { Context } from "../context.js";
import { ExitCode, ReportedFailure } from "../errors.js";
import { doctorSummary } from "../output/doctor-summary.js";
import { boundHttpClient } from "./actions.js";

export async function doctorAction(ctx: Context): Promise<void> {
  const stop = {};
  const report = await runDoctor({
    env: ctx.env,
    cloud: ctx.globals.cloud,
    armEndpoint: ctx.globals.armEndpoint,
    subscription: ctx.globals.subscription,
    signal: ctx.signal,
    httpClient: await boundHttpClient(ctx.credentialNotice(), stop),
    stop,
    arm: () => ctx.arm(),
  });
  ctx.io.stderr.write(doctorSummary(report, ctx.io.paint));
  ctx.print(report);
  if (!report.winner)
    throw new ReportedFailure("no credential of DefaultAzureCredential's chain works here", ExitCode.auth);
}
