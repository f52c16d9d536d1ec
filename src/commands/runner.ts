// How a command hands its action to cli.ts: the types both sides share, so no command imports cli.ts.
import type { Command } from "commander";
import type { Context } from "../context.js";

/** A command's action: receives the context built from the global options and its own options. */
export type Action<T> = (ctx: Context, opts: T) => Promise<void>;

/** What a command declares about its own lifecycle when it registers its action. */
export interface RunOptions {
  /** It runs until Ctrl-C or SIGTERM (the emulator): the signal is its normal end, exit 0. */
  endsOnSignal?: boolean;
  /**
   * How long it may take to clean up after Ctrl-C or its deadline before the CLI leaves anyway
   * (verify removes its probe blob and writes its report). Default 3000 ms.
   */
  cleanupGraceMs?: number;
}

/** The action as commander calls it. */
export type Handler<T> = (opts: T, cmd: Command) => Promise<void>;

/** Wraps an action for commander: parses the global options, builds the context, sets the deadline. */
export interface Runner {
  <T>(action: Action<T>): Handler<T>;
  <T>(options: RunOptions, action: Action<T>): Handler<T>;
}
