// Assignees given by name (--assignee, verify --principal): looked up in Microsoft Graph, the only
// reason miauth ever contacts it.
import type { AssigneeLookup } from "../azure/assignee.js";
import type { ResolvedAssignee } from "../azure/graph.js";
import { resolveAssignees } from "../azure/graph.js";
import { checkDestination } from "../azure/loopback.js";
import type { Context } from "../context.js";

export async function lookUpAssignees(ctx: Context, lookups: AssigneeLookup[]): Promise<ResolvedAssignee[]> {
  if (lookups.length === 0) return [];
  // Before the token is asked for: a rehearsal against the emulator never reaches the real Graph.
  checkDestination(
    ctx.globals.graphEndpoint,
    ctx.globals.armEndpoint,
    `Microsoft Graph, to look up ${lookups[0]?.flag} '${lookups[0]?.given}'`,
    "set MIAUTH_GRAPH_ENDPOINT to the emulator's (its env.sh does), or pass the principal's object ID",
  );
  const graph = await ctx.graph();
  const found = await resolveAssignees(graph, lookups, ctx.signal);
  for (const f of found)
    ctx.verbose(`'${f.given}' is ${f.principalType} '${f.displayName}', object ID ${f.principalId}`);
  return found;
}
