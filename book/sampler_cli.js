/*
 * The browser's name sampler under node, for tests/test_book_sampler.py.
 *
 *   node book/sampler_cli.js MODEL.js < settings.json
 *
 * MODEL.js is the file tools/export_sampler.py writes; settings.json a list of objects
 * {num, seed, prefix, temperature, topK}. Prints, for each, a JSON object with the names, their
 * origins, the chart's bars (probs, reference) and the running sum of every context visited
 * ("cdfs", keyed by the context's token ids joined by commas), or the error message (and its
 * Chinese, where it has one).
 */
"use strict";
const fs = require("fs");
const sampler = require("./static/ngram_sampler.js");

const text = fs.readFileSync(process.argv[2], "utf8");
const exported = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
const model = new sampler.Model(exported);
const settings = JSON.parse(fs.readFileSync(0, "utf8"));
const results = settings.map((s) => {
  const cdfs = {};
  try {
    const names = sampler.sampleNames(model, s, (context, cdf) => {
      cdfs[context.join(",")] = Array.from(cdf);
    });
    const chart = sampler.nextCharacter(model, s.prefix, s.temperature, s.topK);
    return {
      names,
      origins: sampler.nameOrigins(model, names),
      probs: Array.from(chart.probs),
      reference: Array.from(chart.reference),
      cdfs,
    };
  } catch (err) {
    return { error: err.message, errorZh: err.zh };
  }
});
process.stdout.write(JSON.stringify(results));
