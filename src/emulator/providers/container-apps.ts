// Microsoft.App container apps: GET, the PATCH long-running operation (Azure-AsyncOperation to
// containerappOperationStatuses, Location to containerappOperationResults, Retry-After), the list by
// subscription, and the template's containers with their env. Sources: src/emulator/README.md, "Container Apps".
import { randomUUID } from "node:crypto";
import {
  armError,
  groupMissing,
  isReply,
  ok,
  patchNotFound,
  readJson,
  resourceNotFound,
} from "../arm/replies.js";
import { applyIdentity, cloneIdentity, renderIdentity } from "../arm/resource-identity.js";
import type { Route } from "../arm/router.js";
import type { Ctx, Reply } from "../http.js";
import type { AppContainer, ContainerApp, Operation, Settings, State } from "../state.js";
import { APP_CONTAINER_APPS_API_VERSIONS } from "./api-versions.js";
import { settleOperations } from "./compute.js";

const APP =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.App/containerApps/{name}";
const LIST = "/subscriptions/{subscriptionId}/providers/Microsoft.App/containerApps";
const STATUS =
  "/subscriptions/{subscriptionId}/providers/Microsoft.App/locations/{location}/containerappOperationStatuses/{operationId}";
const RESULT =
  "/subscriptions/{subscriptionId}/providers/Microsoft.App/locations/{location}/containerappOperationResults/{operationId}";
const TYPE = "Microsoft.App/containerApps";

/** Ends due operations; a container app whose operation ended is Succeeded again, or back as it was. */
export function settleContainerApps(state: State, now = Date.now()): void {
  settleOperations(state, now);
  for (const app of Object.values(state.containerApps)) {
    const op = app.currentOperation === undefined ? undefined : state.operations[app.currentOperation];
    if (!op || op.status === "InProgress") continue;
    app.currentOperation = undefined;
    if (op.status === "Failed") {
      app.identity = cloneIdentity(op.previousIdentity);
      if (op.previousContainers) app.containers = structuredClone(op.previousContainers);
      app.provisioningState = "Failed";
    } else {
      app.provisioningState = "Succeeded";
    }
  }
}

export function revisionName(app: ContainerApp): string {
  // {app}--{suffix}: the platform's form; the suffix here counts template changes (**guess** at its look).
  return `${app.name}--r${String(app.revision).padStart(6, "0")}`;
}

/** The container app as Microsoft.App renders it (identity type spelled without a space). */
export function renderContainerApp(state: State, app: ContainerApp): Record<string, unknown> {
  const rg = `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers`;
  const envId = `${rg}/Microsoft.App/managedEnvironments/${app.environment}`;
  const body: Record<string, unknown> = {
    id: app.id,
    name: app.name,
    type: TYPE,
    location: app.location,
  };
  const identity = renderIdentity(state, app.identity, "compute");
  if (identity) body.identity = { ...identity, type: String(identity.type).replace(", ", ",") };
  body.properties = {
    provisioningState: app.provisioningState,
    runningStatus: "Running",
    managedEnvironmentId: envId,
    environmentId: envId,
    workloadProfileName: "Consumption",
    latestRevisionName: revisionName(app),
    latestReadyRevisionName: revisionName(app),
    latestRevisionFqdn: `${revisionName(app)}.${app.defaultDomain}`,
    customDomainVerificationId: app.id.length.toString(16).padStart(64, "0"),
    configuration: {
      secrets: [],
      activeRevisionsMode: "Single",
      ingress: {
        fqdn: `${app.name}.${app.defaultDomain}`,
        external: true,
        targetPort: 80,
        transport: "Auto",
        traffic: [{ weight: 100, latestRevision: true }],
        allowInsecure: false,
      },
      maxInactiveRevisions: 100,
    },
    template: {
      containers: structuredClone(app.containers),
      scale: { minReplicas: 0, maxReplicas: 10 },
    },
    eventStreamEndpoint: `https://${app.location}.azurecontainerapps.dev/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/containerApps/${app.name}/eventstream`,
  };
  return body;
}

function lookup(state: State, ctx: Ctx): { app?: ContainerApp; error?: Reply } {
  const { subscriptionId = "", resourceGroupName = "", name = "" } = ctx.params;
  const error = groupMissing(state, subscriptionId, resourceGroupName);
  if (error) return { error };
  settleContainerApps(state);
  const key = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroupName}/providers/microsoft.app/containerapps/${name}`;
  return { app: state.containerApps[key.toLowerCase()] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Error code and texts for a malformed template are a **guess** (no recorded Microsoft.App reply).
function invalidTemplate(message: string): Reply {
  return armError(400, "ContainerAppInvalidPropertyValue", message);
}

/**
 * `properties.template.containers` of a PATCH: JSON Merge Patch (RFC 7386, which ContainerApps_Update
 * names) replaces an array whole, so the containers sent are the containers the app has afterwards.
 */
function readContainers(template: unknown): AppContainer[] | Reply | undefined {
  if (template === undefined || template === null) return undefined;
  if (!isObject(template)) return invalidTemplate("The 'template' property must be an object.");
  const containers = template.containers;
  if (containers === undefined || containers === null) return undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    return invalidTemplate("The 'template.containers' property must be a non-empty array.");
  for (const [i, c] of containers.entries()) {
    if (!isObject(c) || typeof c.name !== "string" || typeof c.image !== "string")
      return invalidTemplate(`Container at index ${i} must have a 'name' and an 'image'.`);
    if (c.env === undefined || c.env === null) continue;
    if (!Array.isArray(c.env)) return invalidTemplate(`The 'env' of container '${c.name}' must be an array.`);
    for (const e of c.env) {
      if (!isObject(e) || typeof e.name !== "string" || e.name === "")
        return invalidTemplate(`Every env entry of container '${c.name}' must have a 'name'.`);
      if (e.value !== undefined && e.secretRef !== undefined)
        return invalidTemplate(
          `Env variable '${e.name}' of container '${c.name}' cannot have both 'value' and 'secretRef'.`,
        );
    }
  }
  return structuredClone(containers) as AppContainer[];
}

function startUpdate(state: State, settings: Settings, ctx: Ctx, app: ContainerApp): Reply {
  const parsed = readJson(ctx);
  if (isReply(parsed)) return parsed;
  const props = parsed.body.properties;
  const containers = readContainers(isObject(props) ? props.template : undefined);
  if (isReply(containers)) return containers;
  const previousIdentity = cloneIdentity(app.identity);
  const previousContainers = structuredClone(app.containers);
  if (parsed.body.identity !== undefined && parsed.body.identity !== null) {
    const next = applyIdentity(state, app.identity, parsed.body.identity, app.id);
    if (isReply(next)) return next;
    app.identity = next;
  }
  if (containers) {
    // A change of the template makes a new revision; the same template again does not.
    if (JSON.stringify(containers) !== JSON.stringify(app.containers)) app.revision += 1;
    app.containers = containers;
  }
  const now = Date.now();
  const op: Operation = {
    id: randomUUID(),
    vmKey: app.id.toLowerCase(),
    startTime: new Date(now).toISOString(),
    settleAt: now + settings.lroDelayMs,
    fail: ctx.takeLroFailure(),
    previousIdentity,
    previousContainers,
    status: "InProgress",
  };
  state.operations[op.id] = op;
  app.currentOperation = op.id;
  app.provisioningState = "InProgress";
  const base = `${settings.baseUrl}/subscriptions/${app.subscriptionId}/providers/Microsoft.App/locations/${app.location}`;
  const query = `api-version=${ctx.apiVersion}`;
  // ContainerApps_Update's 202 (Location in the spec, Azure-AsyncOperation in its example): no body.
  return {
    status: 202,
    body: undefined,
    headers: {
      "Azure-AsyncOperation": `${base}/containerappOperationStatuses/${op.id}?${query}`,
      Location: `${base}/containerappOperationResults/${op.id}?${query}`,
      "Retry-After": String(settings.retryAfterSeconds),
    },
  };
}

function findOperation(state: State, ctx: Ctx): Operation | Reply {
  settleContainerApps(state);
  const op = state.operations[(ctx.params.operationId ?? "").toLowerCase()];
  const app = op ? state.containerApps[op.vmKey] : undefined;
  if (!op || !app) return armError(404, "NotFound", "The operation was not found.");
  return op;
}

function operationStatus(state: State, settings: Settings, ctx: Ctx): Reply {
  const op = findOperation(state, ctx);
  if (isReply(op)) return op;
  const body: Record<string, unknown> = {
    id: `/subscriptions/${ctx.params.subscriptionId}/providers/Microsoft.App/locations/${ctx.params.location}/containerappOperationStatuses/${op.id}`,
    name: op.id,
    status: op.status,
    startTime: op.startTime,
  };
  if (op.endTime) body.endTime = op.endTime;
  if (op.status === "Failed") {
    body.error = {
      code: "ContainerAppOperationError",
      message: "Failed to provision revision for container app. Error details: Operation expired.",
    };
  }
  return ok(
    body,
    op.status === "InProgress" ? { "Retry-After": String(settings.retryAfterSeconds) } : undefined,
  );
}

/** The operation result: 202 while it runs, then the container app (**guess**: its body is the app). */
function operationResult(state: State, settings: Settings, ctx: Ctx): Reply {
  const op = findOperation(state, ctx);
  if (isReply(op)) return op;
  if (op.status === "InProgress")
    return {
      status: 202,
      body: undefined,
      headers: {
        Location: `${settings.baseUrl}${ctx.path}?api-version=${ctx.apiVersion}`,
        "Retry-After": String(settings.retryAfterSeconds),
      },
    };
  const app = state.containerApps[op.vmKey] as ContainerApp;
  if (op.status === "Failed")
    return armError(
      400,
      "ContainerAppOperationError",
      "Failed to provision revision for container app. Error details: Operation expired.",
    );
  return ok(renderContainerApp(state, app));
}

export function containerAppsRoutes(state: State, settings: Settings): Route[] {
  const common = {
    pattern: APP,
    kind: "arm" as const,
    apiVersions: APP_CONTAINER_APPS_API_VERSIONS,
    provider: { namespace: "Microsoft.App", type: "containerApps" },
  };
  const locations = (type: string) => ({
    ...common,
    method: "GET",
    provider: { namespace: "Microsoft.App", type: `locations/${type}` },
    action: `Microsoft.App/locations/${type}/read`,
  });
  return [
    {
      ...common,
      method: "GET",
      action: "Microsoft.App/containerApps/read",
      handler: (ctx) => {
        const { app, error } = lookup(state, ctx);
        if (error) return error;
        if (!app) return resourceNotFound(TYPE, ctx.params.name ?? "", ctx.params.resourceGroupName ?? "");
        return ok(renderContainerApp(state, app));
      },
    },
    {
      ...common,
      method: "PATCH",
      action: "Microsoft.App/containerApps/write",
      handler: (ctx) => {
        const { app, error } = lookup(state, ctx);
        if (error) return error;
        if (!app) return patchNotFound(ctx, ctx.params.name ?? "");
        return startUpdate(state, settings, ctx, app);
      },
    },
    {
      ...common,
      method: "GET",
      pattern: LIST,
      action: "Microsoft.App/containerApps/read",
      handler: (ctx) => {
        settleContainerApps(state);
        const sub = (ctx.params.subscriptionId ?? "").toLowerCase();
        const value = Object.values(state.containerApps)
          .filter((a) => a.subscriptionId.toLowerCase() === sub)
          .map((a) => renderContainerApp(state, a));
        return ok({ value });
      },
    },
    {
      ...locations("containerappOperationStatuses"),
      pattern: STATUS,
      handler: (ctx) => operationStatus(state, settings, ctx),
    },
    {
      ...locations("containerappOperationResults"),
      pattern: RESULT,
      handler: (ctx) => operationResult(state, settings, ctx),
    },
  ];
}
