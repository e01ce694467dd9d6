// Structured logging (pino). Personal data never reaches a log line: every string in a log record,
// the message included, goes through the same masking the rest of the product uses.
import { pino, type Logger, type DestinationStream } from 'pino';
import { maskFreeText } from './domain/masking.js';

export type { Logger };

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (record) => maskDeep(record) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskFreeText(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskFreeText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: maskFreeText(value.message), stack: value.stack && maskFreeText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskDeep(item, depth + 1);
  return out;
}
