// Citizens' questions the guide answers: the retrieval dev set (test/fixtures/faq-dev.json), kept
// to those the guide answers outright, so that every push of the load is a full guide answer and
// none is a "not sure" that would write an unanswered-question record instead.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadAgency } from '../../src/agency.js';
import { loadGuideService } from '../../src/guide/service.js';
import { ROOT } from './paths.js';

export interface AnsweredQuestion {
  question: string;
  answer: string;
}

export async function answeredQuestions(): Promise<AnsweredQuestion[]> {
  const contentDir = path.join(ROOT, 'data');
  const guide = await loadGuideService(contentDir, await loadAgency(contentDir));
  const dev = JSON.parse(await readFile(path.join(ROOT, 'test/fixtures/faq-dev.json'), 'utf8')) as { questions: Array<{ question: string; expected: string | null }> };
  const answered: AnsweredQuestion[] = [];
  for (const { question, expected } of dev.questions) {
    if (expected === null) continue;
    const reply = guide.ask(question);
    if (reply.status === 'answered' && reply.answer) answered.push({ question, answer: reply.answer });
  }
  return answered;
}
