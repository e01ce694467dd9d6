// Assembles the annual report: tables from the records, the written sections with their figures
// filled in, and the checks that decide whether it may go out as final. Pure: no I/O.

import { runChecks, type TextState } from './checks.js';
import { countRequests } from './count.js';
import { computeFigures, fillPlaceholders } from './figures.js';
import { REPORT_TITLE, SECTION_HEADINGS, SECTION_ORDER } from './labels.js';
import { buildProactiveTable } from './proactive.js';
import { buildReviewsTable } from './reviews.js';
import type { AnnualReport, AnnualReportInput, ReportSection, ReportTexts, SectionKey } from './types.js';

const WRITTEN_SECTIONS = {
  overview: 'overview',
  problems: 'problems',
  otherMatters: 'otherMatters',
} as const satisfies Partial<Record<SectionKey, keyof ReportTexts>>;

export function buildAnnualReport(input: AnnualReportInput): AnnualReport {
  const { year, format } = input;
  const requests = countRequests(input.requests, year, format);
  const proactive = buildProactiveTable(format, year, {
    items: input.catalogItems,
    article20Map: input.article20Map,
    entered: input.entered.proactive,
  });
  const reviews = buildReviewsTable(input.reviewCases, year, input.entered.reviews);
  const tables = { requests: requests.table, proactive: proactive.table, reviews: reviews.table };
  const sources = { proactive: proactive.sources, reviews: reviews.source };

  const figures = computeFigures({
    year,
    agencyName: input.agency.name,
    catalogItems: input.catalogItems,
    requests: input.requests,
    feesCollected: input.entered.feesCollected,
    tables,
  });

  const sections = {} as Record<SectionKey, ReportSection>;
  const texts: TextState[] = [];
  for (const key of SECTION_ORDER) {
    const heading = SECTION_HEADINGS[key];
    const textKey = WRITTEN_SECTIONS[key as keyof typeof WRITTEN_SECTIONS];
    if (!textKey) {
      sections[key] = { heading, text: null };
      continue;
    }
    const filled = fillPlaceholders(input.texts[textKey] ?? '', figures);
    sections[key] = { heading, text: filled.text };
    texts.push({ heading, text: filled.text, unknownPlaceholders: filled.unknown });
  }

  const checks = runChecks({
    format,
    year,
    tables,
    sources,
    previous: input.previous,
    uncountableRequests: requests.uncountable,
    reviewProblems: reviews.problems,
    texts,
  });

  return {
    year,
    format,
    agency: input.agency,
    title: REPORT_TITLE,
    tables,
    checks,
    final: checks.every((c) => c.ok),
    sections,
    sources,
    figures,
    issuedOn: input.texts.issuedOn ?? null,
  };
}
