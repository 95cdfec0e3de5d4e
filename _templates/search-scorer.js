// The book's search ranking (html_search_scorer; Sphinx adds it to language_data.js,
// which only the search page loads). Sphinx's default weights, plus two rules:
// - a page gets a bonus that grows with how often it uses the query's words
//   (SOSAI_TERM_COUNTS, counted at build time by sosai.website.search), so the chapter that
//   is about "RAG" comes before chapters that mention it once, not in alphabetical
//   order;
// - pages that gather every chapter's material (glossary, references, what's new),
//   which match through index entries scored up to 100, rank below the chapter that
//   covers a topic, so searching "LoRA" lists Fine-tuning first.
function sosaiUsageBonus(docname) {
  if (typeof SOSAI_TERM_COUNTS === "undefined" || typeof Stemmer === "undefined") {
    return 0;
  }
  const counts = SOSAI_TERM_COUNTS[docname] || {};
  const stemmer = new Stemmer();
  const query = new URLSearchParams(window.location.search).get("q") || "";
  let bonus = 0;
  for (const word of query.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || (typeof stopwords !== "undefined" && stopwords.includes(word))) {
      continue;
    }
    const times = counts[stemmer.stemWord(word)] || 0;
    bonus += times ? Math.round(6 * Math.log2(1 + times)) : 0;
  }
  return bonus;
}
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    const gathering = ["glossary", "references", "whats-new", "genindex"];
    const base = score + sosaiUsageBonus(docname);
    return gathering.includes(docname) ? base - 1000 : base;
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
