import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

let shared: Jieba | undefined;

/**
 * One jieba per process: loading the 5 MB base dictionary costs 100–200 ms and ~60 MB.
 * User words loaded into it (Jieba#loadDict) stay for the life of the process, so two guides in one
 * process share each other's domain words; that only ever keeps more domain words whole.
 * The dictionary is read from the package's dict.txt rather than through its dict.js, which also
 * reads (and keeps for the life of the process) the 6 MB IDF table that keyword extraction needs
 * and the guide does not.
 */
export function sharedJieba(): Jieba {
  shared ??= Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
  return shared;
}
