// A read-modify-write lost a race: another instance (or another request in this process) changed
// the record between the read and the write. Nothing of the losing write was kept. The service that
// made the change re-reads and re-validates once; a second loss is answered 409 `conflict`.
export class ConflictError extends Error {
  readonly status = 409;
  readonly code = 'conflict';
  constructor(readonly what: string) {
    super('这条记录刚被其他操作修改，请刷新后重试。');
    this.name = 'ConflictError';
  }
}

export function isConflictError(error: unknown): error is ConflictError {
  return error instanceof ConflictError || (error as { name?: unknown } | null)?.name === 'ConflictError';
}
