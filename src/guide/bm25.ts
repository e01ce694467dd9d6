/**
 * BM25F over a handful of documents with weighted fields (Robertson & Zaragoza, "The Probabilistic
 * Relevance Framework: BM25 and Beyond", 2009). Because a term's pseudo-frequency in a document
 * does not depend on the query, each posting stores its finished contribution; scoring a question
 * is then one map lookup and a few additions per term.
 */

export interface FieldSpec {
  name: string;
  /** How much one occurrence in this field counts compared with other fields. */
  weight: number;
  /** Length normalisation for this field, 0 (none) .. 1 (full). */
  b: number;
}

export interface IndexedDocument {
  id: string;
  /** Terms of each field, by field name. */
  fields: Record<string, string[]>;
}

export interface Bm25Options {
  fields: FieldSpec[];
  /** Term-frequency saturation. */
  k1: number;
}

interface Posting {
  doc: number;
  contribution: number;
}

export interface Bm25Index {
  readonly size: number;
  /** Score of every document (by position) for distinct query terms, into `into` when given. */
  score(terms: Iterable<string>, into?: Float64Array): Float64Array;
  /** Whether a document contains a term in any field. */
  contains(doc: number, term: string): boolean;
  /** Inverse document frequency; undefined for a term no document contains. */
  idf(term: string): number | undefined;
  /** The idf a term found in no document would get: the ceiling of the scale. */
  readonly unseenIdf: number;
  id(doc: number): string;
}

export function buildBm25Index(docs: readonly IndexedDocument[], options: Bm25Options): Bm25Index {
  const { fields, k1 } = options;
  const n = docs.length;
  const averageLength = new Map(fields.map((f) => [
    f.name,
    Math.max(1, docs.reduce((sum, d) => sum + (d.fields[f.name]?.length ?? 0), 0) / Math.max(1, n)),
  ]));

  // Pseudo term frequency of every term in every document: the weighted, length-normalised sum
  // of its frequencies in the fields.
  const pseudoFrequencies = docs.map((doc) => {
    const tf = new Map<string, number>();
    for (const field of fields) {
      const terms = doc.fields[field.name] ?? [];
      const norm = 1 - field.b + field.b * (terms.length / averageLength.get(field.name)!);
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + field.weight / norm);
    }
    return tf;
  });

  const documentFrequency = new Map<string, number>();
  for (const tf of pseudoFrequencies) {
    for (const term of tf.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const idfOf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));

  const postings = new Map<string, Posting[]>();
  pseudoFrequencies.forEach((tf, doc) => {
    for (const [term, f] of tf) {
      const contribution = idfOf(documentFrequency.get(term)!) * (f * (k1 + 1)) / (f + k1);
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push({ doc, contribution });
    }
  });

  return {
    size: n,
    score(terms, into) {
      const scores = into ? into.fill(0) : new Float64Array(n);
      for (const term of terms) {
        const list = postings.get(term);
        if (list) for (const p of list) scores[p.doc] += p.contribution;
      }
      return scores;
    },
    contains(doc, term) {
      return pseudoFrequencies[doc]?.has(term) ?? false;
    },
    idf(term) {
      const df = documentFrequency.get(term);
      return df === undefined ? undefined : idfOf(df);
    },
    unseenIdf: idfOf(0),
    id(doc) {
      return docs[doc]!.id;
    },
  };
}
