// Microsoft Graph, read only, for one thing: the object ID behind an --assignee given as a user principal
// name, an application (client) ID or a service principal's display name. Contacted only for such an
// assignee (assignee.ts); with the same credential as ARM, for the Graph scope of the cloud.
//
// GET /v1.0/users/{id | userPrincipalName}          learn.microsoft.com/graph/api/user-get
// GET /v1.0/servicePrincipals?$filter=appId eq '…'  learn.microsoft.com/graph/api/serviceprincipal-list
// GET /v1.0/servicePrincipals?$filter=displayName eq '…'
// Errors: {"error": {"code", "message"}}            learn.microsoft.com/graph/errors
import type { TokenCredential } from "@azure/core-auth";
import type { Pipeline, PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import * as v from "valibot";
import { AuthError, MiauthError, NotFoundError, PermissionError, UsageError } from "../errors.js";
import { type AssigneeLookup, describeLookup } from "./assignee.js";
import { loadPipeline, translateAzureError } from "./errors.js";
import { MAX_RETRIES } from "./policies.js";
import { replyObject, unusable } from "./replies.js";

export interface GraphSettings {
  credential: TokenCredential;
  /** https://graph.microsoft.com, or MIAUTH_GRAPH_ENDPOINT (the emulator). */
  endpoint: string;
  /** The token scope: always the cloud's Graph scope, as ARM's is with --arm-endpoint. */
  scope: string;
  policies: PipelinePolicy[];
  userAgent: string;
}

export interface GraphClient {
  endpoint: string;
  get(pathAndQuery: string, abortSignal?: AbortSignal): Promise<PipelineResponse>;
}

/** A pipeline of its own: bearer token for the Graph scope, retries, and miauth's policies. */
export async function createGraphClient(s: GraphSettings): Promise<GraphClient> {
  const p = await loadPipeline();
  const pipeline: Pipeline = p.createPipelineFromOptions({
    retryOptions: { maxRetries: MAX_RETRIES, retryDelayInMs: 500, maxRetryDelayInMs: 8000 },
    userAgentOptions: { userAgentPrefix: s.userAgent },
  });
  pipeline.addPolicy(p.bearerTokenAuthenticationPolicy({ credential: s.credential, scopes: [s.scope] }));
  for (const policy of s.policies) pipeline.addPolicy(policy, { phase: "Retry" });
  const http = p.createDefaultHttpClient();
  return {
    endpoint: s.endpoint,
    async get(pathAndQuery, abortSignal) {
      const request = p.createPipelineRequest({
        url: `${s.endpoint}${pathAndQuery}`,
        method: "GET",
        abortSignal,
        headers: p.createHttpHeaders({ accept: "application/json" }),
      });
      try {
        return await pipeline.sendRequest(http, request);
      } catch (err) {
        throw translateAzureError(err);
      }
    },
  };
}

export interface ResolvedAssignee {
  /** What was typed. */
  given: string;
  principalId: string;
  /** User or ServicePrincipal, as ARM's principalType names them. */
  principalType: "User" | "ServicePrincipal";
  displayName: string;
}

// Only the fields used are checked; Graph sends more (and @odata.* annotations).
const guid = v.pipe(v.string(), v.uuid());
const userSchema = v.object({
  id: guid,
  userPrincipalName: v.string(),
  displayName: v.nullish(v.string()),
});
const servicePrincipalSchema = v.object({
  id: guid,
  appId: v.nullish(v.string()),
  displayName: v.nullish(v.string()),
});
const listSchema = v.object({ value: v.array(servicePrincipalSchema) });

/** OData string literal: a quote is doubled. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The object ID of each lookup, in order; one Graph request each. */
export async function resolveAssignees(
  graph: GraphClient,
  lookups: AssigneeLookup[],
  abortSignal?: AbortSignal,
): Promise<ResolvedAssignee[]> {
  const out: ResolvedAssignee[] = [];
  for (const l of lookups) out.push(await resolveOne(graph, l, abortSignal));
  return out;
}

async function resolveOne(
  graph: GraphClient,
  l: AssigneeLookup,
  abortSignal?: AbortSignal,
): Promise<ResolvedAssignee> {
  if (l.kind === "upn") {
    const reply = await graph.get(
      `/v1.0/users/${encodeURIComponent(l.value)}?$select=id,userPrincipalName,displayName`,
      abortSignal,
    );
    if (reply.status === 404) throw notFound(l);
    if (reply.status < 200 || reply.status > 299) throw graphFailure(reply, l);
    const user = parsed(reply, userSchema, replyObject(reply));
    if (user.userPrincipalName.toLowerCase() !== l.value.toLowerCase())
      unusable(reply, `it is the user '${user.userPrincipalName}', not '${l.value}'`);
    return {
      given: l.given,
      principalId: user.id.toLowerCase(),
      principalType: "User",
      displayName: user.displayName ?? user.userPrincipalName,
    };
  }
  const field = l.kind === "appId" ? "appId" : "displayName";
  const filter = encodeURIComponent(`${field} eq ${literal(l.value)}`);
  const reply = await graph.get(
    `/v1.0/servicePrincipals?$filter=${filter}&$select=id,appId,displayName`,
    abortSignal,
  );
  if (reply.status < 200 || reply.status > 299) throw graphFailure(reply, l);
  const list = parsed(reply, listSchema, replyObject(reply)).value;
  // Graph compares case-insensitively; check that each match is one (a server ignoring $filter is not).
  const matches = list.filter((sp) => (sp[field] ?? "").toLowerCase() === l.value.toLowerCase());
  if (matches.length !== list.length)
    unusable(reply, `it lists service principals whose ${field} is not '${l.value}'`);
  const [first] = matches;
  if (first === undefined) throw notFound(l);
  if (matches.length > 1) {
    const shown = matches.map((m) => `${m.displayName ?? "?"} (object ID ${m.id}, appId ${m.appId ?? "?"})`);
    throw new UsageError(`${describeLookup(l)} is ambiguous: ${matches.length} match: ${shown.join("; ")}`, {
      hint: `pass the object ID of the one you mean to ${l.flag}`,
    });
  }
  return {
    given: l.given,
    principalId: first.id.toLowerCase(),
    principalType: "ServicePrincipal",
    displayName: first.displayName ?? first.appId ?? first.id,
  };
}

function parsed<T extends v.GenericSchema>(
  reply: PipelineResponse,
  schema: T,
  body: Record<string, unknown>,
): v.InferOutput<T> {
  const r = v.safeParse(schema, body);
  if (!r.success) {
    const issue = r.issues[0];
    const path = issue?.path?.map((p) => String(p.key)).join(".") || "the body";
    unusable(reply, `${path}: ${issue?.message ?? "unexpected shape"}`);
  }
  return r.output;
}

function notFound(l: AssigneeLookup): NotFoundError {
  const hint =
    l.kind === "appId"
      ? `an app registration without a service principal in this tenant has nothing to assign to: create it with 'az ad sp create --id ${l.value}'`
      : l.kind === "upn"
        ? "check the user principal name (az ad user list --upn …), or pass the object ID"
        : "display names are matched exactly (case-insensitive); or pass the object ID";
  return new NotFoundError(`Microsoft Graph has no ${describeLookup(l)}`, { hint });
}

/** The Graph permission an application needs for the lookup (least privileged, per the API pages). */
function permissionFor(l: AssigneeLookup): string {
  return l.kind === "upn" ? "User.Read.All" : "Application.Read.All";
}

/** The az command that prints the object ID, for someone who may read the directory. */
function objectIdCommand(l: AssigneeLookup): string {
  const q = (x: string) => `'${x.replaceAll("'", "'\\''")}'`;
  if (l.kind === "upn") return `az ad user show --id ${q(l.value)} --query id -o tsv`;
  if (l.kind === "appId") return `az ad sp show --id ${l.value} --query id -o tsv`;
  return `az ad sp list --display-name ${q(l.value)} --query [].id -o tsv`;
}

function graphFailure(reply: PipelineResponse, l: AssigneeLookup): MiauthError {
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(reply.bodyAsText ?? "") as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  const code = typeof error?.code === "string" ? error.code : `HTTP ${reply.status}`;
  const said = typeof error?.message === "string" ? `: ${error.message.split("\n")[0]}` : "";
  const what = `looking up the ${describeLookup(l)} in Microsoft Graph`;
  if (reply.status === 403) {
    return new PermissionError(`${what} was refused (${code}${said})`, {
      azureCode: code,
      hint: `the credential needs the Microsoft Graph permission ${permissionFor(l)} (or the Directory Readers role); or pass the object ID to ${l.flag} instead: ${objectIdCommand(l)}`,
    });
  }
  if (reply.status === 401) {
    return new AuthError(`${what} failed: the token was refused (${code}${said})`, {
      azureCode: code,
      hint: "sign in again (az login), or check the credential miauth uses",
    });
  }
  return new MiauthError(`${what} failed: ${code}${said}`, { azureCode: code });
}
