import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let shared: Jieba | undefined;

/**
 * One jieba per process: loading the 5 MB base dictionary costs 100–200 ms and ~60 MB.
 * User words loaded into it (Jieba#loadDict) stay for the life of the process, so two guides in one
 * process share each other's domain words; that only ever keeps more domain words whole.
 */
export function sharedJieba(): Jieba {
  shared ??= Jieba.withDict(dict);
  return shared;
}
