// What every command receives: io, the validated global options, and lazily built Azure clients.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import type { ArmClients } from "./azure/clients.js";
import { createArmClients } from "./azure/clients.js";
import { type Cloud, parseArmEndpoint, parseCloud, parseGraphEndpoint } from "./azure/clouds.js";
import {
  authorityOptions,
  type CredentialNotice,
  checkTokenCredentials,
  createCredential,
  type SharedCredential,
} from "./azure/credential.js";
import type { GraphClient } from "./azure/graph.js";
import { createGraphClient } from "./azure/graph.js";
import { endpointGuardPolicy } from "./azure/loopback.js";
import { MAX_RETRIES, retryNoticePolicy, tracePolicy } from "./azure/policies.js";
import { type SubscriptionChoice, subscriptionFromArm, subscriptionFromLocal } from "./azure/subscription.js";
import { ExitCode, ReportedFailure, TimeoutError, UsageError } from "./errors.js";
import { type OutputFormat, parseOutputFormat } from "./output/format.js";
import { type Io, info, warn } from "./output/io.js";
import { validateQuery } from "./output/query.js";
import { result } from "./output/result.js";
import { VERSION } from "./version.js";

export interface RawGlobalOptions {
  subscription?: string;
  output?: string;
  query?: string;
  verbose?: boolean;
  debug?: boolean;
  armEndpoint?: string;
  cloud?: string;
}

export interface Globals {
  subscription?: string;
  output: OutputFormat;
  /** -o or MIAUTH_OUTPUT was given: the user asked for this format (json is only the default). */
  outputGiven: boolean;
  query?: string;
  verbose: boolean;
  debug: boolean;
  cloud: Cloud;
  armEndpoint: string;
  /** Microsoft Graph's base URL: the cloud's, or MIAUTH_GRAPH_ENDPOINT (the emulator). */
  graphEndpoint: string;
}

/** Validates the global options; throws UsageError before anything touches the network. */
export function parseGlobals(raw: RawGlobalOptions, env: NodeJS.ProcessEnv): Globals {
  let output: OutputFormat;
  try {
    output = parseOutputFormat(raw.output ?? env.MIAUTH_OUTPUT ?? "json");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (raw.query !== undefined) {
    try {
      validateQuery(raw.query);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  checkTokenCredentials(env);
  const cloud = parseCloud(raw.cloud ?? env.MIAUTH_CLOUD);
  // AZURE_AUTHORITY_HOST, checked before any credential is built or any request sent.
  authorityOptions(cloud, env);
  const endpoint = raw.armEndpoint ?? env.MIAUTH_ARM_ENDPOINT;
  return {
    subscription: raw.subscription,
    output,
    outputGiven: raw.output !== undefined || env.MIAUTH_OUTPUT !== undefined,
    query: raw.query,
    verbose: raw.verbose === true || raw.debug === true,
    debug: raw.debug === true,
    cloud,
    armEndpoint: endpoint ? parseArmEndpoint(endpoint) : cloud.armEndpoint,
    graphEndpoint: env.MIAUTH_GRAPH_ENDPOINT
      ? parseGraphEndpoint(env.MIAUTH_GRAPH_ENDPOINT)
      : cloud.graphEndpoint,
  };
}

export class Context {
  private clients?: Promise<ArmClients>;
  private graphClient?: Promise<GraphClient>;
  private cred?: Promise<SharedCredential>;
  private chosen?: Promise<SubscriptionChoice>;
  private local?: ReturnType<typeof subscriptionFromLocal>;
  private deadline?: { signal: AbortSignal; ms: number; at: number; flag: string };
  private combined?: AbortSignal;
  /** Called when the deadline passes (cli.ts: leave even if a request ignores the signal). */
  onDeadline?: () => void;

  constructor(
    readonly io: Io,
    readonly env: NodeJS.ProcessEnv,
    readonly globals: Globals,
    /** Ctrl-C (SIGINT/SIGTERM) only. */
    readonly interrupt: AbortSignal,
  ) {}

  /** What every Azure call gets: aborted on Ctrl-C or when the command's deadline passes. */
  get signal(): AbortSignal {
    return this.combined ?? this.interrupt;
  }

  /** The command's deadline (--timeout), set once before any request; its expiry is exit 6. */
  setDeadline(ms: number, flag = "--timeout"): void {
    const signal = AbortSignal.timeout(ms);
    signal.addEventListener("abort", () => {
      if (!this.interrupt.aborted) this.onDeadline?.();
    });
    this.deadline = { signal, ms, at: Date.now() + ms, flag };
    this.combined = AbortSignal.any([this.interrupt, signal]);
  }

  /** True when the deadline, not Ctrl-C, ended the command. */
  get timedOut(): boolean {
    return this.deadline?.signal.aborted === true && !this.interrupt.aborted;
  }

  /** Milliseconds until the deadline (Infinity without one). */
  remainingMs(): number {
    return this.deadline ? Math.max(0, this.deadline.at - Date.now()) : Number.POSITIVE_INFINITY;
  }

  /** "timed out after 30s": how a message about the deadline starts. */
  timedOutText(): string {
    return `timed out after ${Math.round((this.deadline?.ms ?? 0) / 1000)}s`;
  }

  deadlineError(): TimeoutError {
    return new TimeoutError(
      `${this.timedOutText()} (${this.deadline?.flag ?? "--timeout"}): an endpoint did not answer in time`,
      {
        hint: "run again with a longer --timeout, or with --debug to see which request hung",
      },
    );
  }

  /**
   * The policies every SDK client gets: the loopback guard (loopback.ts), retry notices and Retry-After
   * caps, and the --debug trace.
   */
  pipelinePolicies(service: string, maxRetries = MAX_RETRIES, throttling = true): PipelinePolicy[] {
    const policies = [
      endpointGuardPolicy(this.globals.armEndpoint, service),
      retryNoticePolicy({
        service,
        warn: (line) => this.warn(line),
        maxRetries,
        remainingMs: () => this.remainingMs(),
        throttling,
      }),
    ];
    if (this.globals.debug) policies.push(this.trace());
    return policies;
  }

  /** --debug's HTTP trace on stderr. */
  private trace(): PipelinePolicy {
    return tracePolicy((line) => info(this.io, line, this.io.paint.dim));
  }

  /** DefaultAzureCredential, built once on first use, its token requests bounded and announced. */
  credential(): Promise<SharedCredential> {
    this.cred ??= createCredential(this.globals.cloud, this.credentialNotice());
    return this.cred;
  }

  /** What token requests are bound to: notices, the deadline, Ctrl-C, the loopback guard, --debug's trace. */
  credentialNotice(): CredentialNotice {
    return {
      warn: (line) => this.warn(line),
      remainingMs: () => this.remainingMs(),
      signal: () => this.signal,
      armEndpoint: this.globals.armEndpoint,
      trace: this.globals.debug ? this.trace() : undefined,
    };
  }

  /** The SDK clients, built once on first use (loading the SDK only then). */
  arm(): Promise<ArmClients> {
    this.clients ??= this.buildClients();
    return this.clients;
  }

  /**
   * Microsoft Graph, built on first use: only an assignee given by name needs it, and only then is its
   * token asked for.
   */
  graph(): Promise<GraphClient> {
    this.graphClient ??= (async () => {
      const credential = await this.credential();
      this.verbose(
        `Microsoft Graph endpoint ${this.globals.graphEndpoint} (token audience ${this.globals.cloud.graphScope})`,
      );
      return createGraphClient({
        credential,
        endpoint: this.globals.graphEndpoint,
        scope: this.globals.cloud.graphScope,
        policies: this.pipelinePolicies("Microsoft Graph"),
        userAgent: `miauth/${VERSION}`,
      });
    })();
    return this.graphClient;
  }

  /** The subscription to work in, resolved once; a --ids target carries its own. */
  async subscriptionId(): Promise<string> {
    this.chosen ??= (async () => {
      const local = await this.localSubscription();
      const choice =
        local && "id" in local
          ? local
          : await subscriptionFromArm(await this.arm(), local?.name, this.signal);
      this.verbose(`subscription ${choice.id} (from ${choice.source})`);
      return choice;
    })();
    return (await this.chosen).id;
  }

  /** --subscription, AZURE_SUBSCRIPTION_ID or the Azure CLI's default, read and checked once. */
  private localSubscription() {
    this.local ??= subscriptionFromLocal(this.globals.subscription, this.env, this.globals.cloud.name);
    return this.local;
  }

  /** The subscription for targets given by name; "" when every target is a full --ids resource ID. */
  async subscriptionFor(targets: { subscriptionId?: string }[]): Promise<string> {
    return targets.some((t) => t.subscriptionId === undefined) ? this.subscriptionId() : "";
  }

  /**
   * Prints the result; `tableQuery` is the projection `-o table` uses when no --query is given. `wrote`:
   * the command may have changed something, which a --query failing on its result must not hide.
   */
  print(
    value: unknown,
    /** `table`: what `-o table` shows instead of the result, when no --query is given (rows of a view). */
    opts: { tableQuery?: string; table?: (value: unknown) => unknown; wrote?: boolean } = {},
  ): void {
    const query = this.globals.query ?? (this.globals.output === "table" ? opts.tableQuery : undefined);
    const asTable = this.globals.output === "table" && this.globals.query === undefined && opts.table;
    try {
      result(this.io, asTable ? asTable(value) : value, this.globals.output, query);
    } catch (err) {
      // A query that passed validation can still fail on the data (a type error): a usage error.
      if (!opts.wrote || this.globals.query === undefined) throw new UsageError((err as Error).message);
      result(this.io, value, this.globals.output);
      throw new ReportedFailure(
        `the command completed and its changes were made, but --query failed on its result: ${(err as Error).message}`,
        ExitCode.usage,
        { hint: "the result is on stdout unfiltered; a rerun finds the change already made" },
      );
    }
  }

  verbose(message: string): void {
    if (this.globals.verbose) info(this.io, message);
  }

  warn(message: string): void {
    warn(this.io, message);
  }

  private async buildClients(): Promise<ArmClients> {
    // ARM's token is asked for now, while the SDK package loads (arm.web() etc.): every ARM command
    // needs it first. Not while the subscription is bad input: that is one line before any request.
    const credential = await this.credential();
    if (
      await this.localSubscription().then(
        () => true,
        () => false,
      )
    )
      credential.prefetch(this.globals.cloud.armScope);
    const policies = this.pipelinePolicies("ARM");
    this.verbose(`ARM endpoint ${this.globals.armEndpoint} (token audience ${this.globals.cloud.armScope})`);
    return createArmClients({
      credential,
      cloud: this.globals.cloud,
      armEndpoint: this.globals.armEndpoint,
      policies,
      userAgent: `miauth/${VERSION}`,
    });
  }
}
