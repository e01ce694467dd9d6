// The machine a run measured, for the line above the results table.
import os from 'node:os';
import type { Machine } from './result.js';

export function describeMachine(now: Date = new Date()): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}
