// The book's search ranking (html_search_scorer; Sphinx adds it to language_data.js,
// which only the search page loads). Sphinx's default weights, plus one rule: pages
// that gather every chapter's material (glossary, references, what's new), which match
// through index entries scored up to 100, rank below
// the chapter that covers a topic, so searching "LoRA" lists Fine-tuning first.
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const gathering = ["glossary", "references", "whats-new", "genindex"];
    return gathering.includes(docname) ? score - 1000 : score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
