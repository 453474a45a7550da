/**
 * The answers of `where` and `who` (src/query/where-answer.ts decides them): what held an address at an
 * instant, per source, and the one word for how the two sources compare. Read by report/ to render them.
 */
import type { ActualLease, ExpectedLease, Finding } from './lease.js';

export type Agreement = 'agree' | 'disagree' | 'gluff-only' | 'channel-only' | 'unknown';

/** Which sources answered: both, the event store alone (`channel`), or Gluff's table alone (`gluff`). */
export type SourcesMode = 'both' | 'channel' | 'gluff';

/** The answer to `where IP --at T`. */
export interface WhereAnswer {
  ip: string;
  atMs: number;
  sources: SourcesMode;
  agreement: Agreement;
  /** Gluff's rows of the address covering T (`lstart <= T < lend`); empty without Gluff. */
  gluffRows: ActualLease[];
  /** The rebuilt stint covering T; null when there is none (or no event store). */
  stint: ExpectedLease | null;
  /** `disagree`: the fail findings verify gives for the stint or the rows at T. */
  differences: Finding[];
  /** Why it cannot be told (`unknown`, `channel-only`, `gluff-only`); empty otherwise. */
  reasons: string[];
  /** Warnings verify gives for them (a move without DHCP, dhcpd's remembered circuit-id): they change nothing. */
  notes: Finding[];
}

/** One stint of a client in `who`, per source, with the agreement column. */
export interface WhoStint {
  ip: string;
  hw: string;
  /** The rebuilt stint; null for a Gluff row no stint explains. */
  stint: ExpectedLease | null;
  /** Gluff's rows of the stint (or the lone row). */
  gluffRows: ActualLease[];
  /** The stint's span (else the row's): UTC ms, half-open. */
  fromMs: number;
  toMs: number;
  agreement: Agreement;
  differences: Finding[];
  reasons: string[];
  notes: Finding[];
}
