-- Holiday calendars staff uploaded (next year's, once the State Council announces it), shared by
-- every instance; the embedded engine keeps them as DATA_DIR/holidays/YYYY.json.
CREATE TABLE holiday_calendars (
  office text NOT NULL REFERENCES offices(id),
  year integer NOT NULL,
  data jsonb NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (office, year)
);
