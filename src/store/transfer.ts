// Moving an office between engines (`npm run store:migrate`): every repository, on either engine,
// can count its records, list them in a neutral JSON shape, and take such a list into an empty
// repository. The records name their kind (e.g. "application", "sequence", "idempotency-key"), so
// the counts compared after a move say which kind went missing, if any.
export interface TransferRecord {
  kind: string;
  /** The record as JSON: what the repository needs to recreate it exactly, nothing derived. */
  data: unknown;
}

export interface Transferable {
  /** How many records of each kind the repository holds (kinds with none may be left out). */
  counts(): Promise<Record<string, number>>;
  /** Every record, in an order importRecords can take them in (e.g. an application before its events). */
  exportRecords(): AsyncIterable<TransferRecord>;
  /**
   * Takes records listed by exportRecords of the other engine. Only into an empty repository: the
   * caller checks counts() first, and a repository may refuse (throw) when it is not empty.
   */
  importRecords(records: AsyncIterable<TransferRecord>): Promise<void>;
}
