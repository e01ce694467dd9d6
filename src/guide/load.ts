/** Reads the guide's data from a content folder (agency.json and guide/*.json) and builds the guide. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAgency, type Agency } from '../agency.js';
import type { Guide, GuideInput, GuideOptions } from './guide.js';
import type { DictionaryData, GuideEntry, GuideSection, ScopeData, StopwordData, SynonymData } from './types.js';

export type GuideData = Omit<GuideInput, 'options' | 'jieba'>;

/** The guide files of data/guide/, without the agency. */
export async function loadGuideFiles(contentDir: string): Promise<Omit<GuideData, 'agency'>> {
  const dir = join(contentDir, 'guide');
  const [entries, sections, dictionary, synonyms, stopwords, scope] = await Promise.all(
    ['entries', 'sections', 'dictionary', 'synonyms', 'stopwords', 'scope'].map((name) => readJson(join(dir, `${name}.json`))),
  );
  return {
    entries: entries as GuideEntry[],
    sections: sections as GuideSection[],
    dictionary: dictionary as DictionaryData,
    synonyms: synonyms as SynonymData,
    stopwords: stopwords as StopwordData,
    scope: checkedScope(scope as ScopeData, join(dir, 'scope.json')),
  };
}

/** An office edits scope.json: a pattern that is no regular expression is named, with the file. */
function checkedScope(scope: ScopeData, path: string): ScopeData {
  for (const [i, pattern] of (scope?.anchorPatterns ?? []).entries()) {
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      throw new Error(`guide data ${path}: anchorPatterns[${i}] ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return scope;
}

export async function loadGuideData(contentDir: string, agency?: Agency): Promise<GuideData> {
  const [files, loadedAgency] = await Promise.all([loadGuideFiles(contentDir), agency ?? loadAgency(contentDir)]);
  return { ...files, agency: loadedAgency };
}

export async function loadGuide(contentDir: string, options?: Partial<GuideOptions>): Promise<Guide> {
  const { createGuide } = await import('./guide.js');
  return createGuide({ ...(await loadGuideData(contentDir)), options });
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read guide data ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`guide data ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
