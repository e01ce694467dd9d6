-- The annual report's own records (src/store/pg/report-repo.ts): per year what staff typed in, the
-- final exports and who changed what (one document, changed with its row locked), and the review
-- cases, entered once for every year they count in.
CREATE TABLE report_years (
  office text NOT NULL REFERENCES offices(id),
  year integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, year)
);

CREATE TABLE report_review_cases (
  office text NOT NULL REFERENCES offices(id),
  id text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  filed_on text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (office, id)
);
CREATE INDEX report_review_cases_seq ON report_review_cases (office, seq);
