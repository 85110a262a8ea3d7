/*
 * The name sampler of notebook 04, run in the browser without Python.
 *
 * It draws the names that ngram_helpers/widgets/sampler.py draws for the same settings:
 *
 * - RNG: the project's xorshift64* generator (ngram_helpers/rng.py), in 64-bit BigInt arithmetic,
 *   so the same seed gives the same coins;
 * - the forward pass of the MLP (ngram_helpers/models.py): embeddings of the last T characters,
 *   one tanh hidden layer, one logit per character; from the float32 weights torch holds
 *   (exported by tools/export_sampler.py), computed in float64;
 * - tempered probabilities, top-k, the coin against the running sum, the prefix and the length
 *   cap: ngram_helpers/sample.py, function for function.
 *
 * Python computes the logits and probabilities in float32, this file in float64: the two differ
 * in the last bits, and a draw could only differ if a coin fell within that difference of a step
 * of the running sum. tests/test_book_sampler.py runs this file under node against Python for a
 * range of settings, checks the names are the same, and measures how far every coin was from
 * every step compared with the largest difference between the two running sums.
 *
 * The same file serves node (module.exports) and the page (window.NgramSampler, and every
 * <div class="ngram-js-sampler"> on the page becomes a sampler).
 */
(function () {
  "use strict";

  // -------------------------------------------------------------------------------------------
  // The project's random number generator (ngram_helpers/rng.py)

  const MASK64 = (1n << 64n) - 1n;
  const MULTIPLIER = 0x2545f4914f6cdd1dn;

  class RNG {
    constructor(seed) {
      if (!Number.isInteger(seed) || seed < 1) {
        throw new Error(`seed must be an integer in 1..2**64-1, got ${seed}`);
      }
      this.state = BigInt(seed);
    }

    /** Advance the 64-bit state and return 32 scrambled bits. */
    nextU32() {
      let s = this.state;
      s ^= s >> 12n;
      s ^= (s << 25n) & MASK64;
      s ^= s >> 27n;
      this.state = s;
      return Number(((s * MULTIPLIER) & MASK64) >> 32n);
    }

    /** A float in [0, 1) with 24 random bits, as Python's RNG.random. */
    random() {
      return Math.floor(this.nextU32() / 256) / 16777216;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The model: exported weights and the forward pass

  function float32Array(base64) {
    const binary =
      typeof atob === "function"
        ? atob(base64)
        : Buffer.from(base64, "base64").toString("latin1");
    const view = new DataView(new ArrayBuffer(binary.length));
    for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
    const values = new Float64Array(binary.length / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(4 * i, true);
    return values;
  }

  class Model {
    /** ``exported``: the object tools/export_sampler.py writes. */
    constructor(exported) {
      if (exported.format !== "ngram-sampler/1") {
        throw new Error(`unknown sampler export format ${exported.format}`);
      }
      this.chars = exported.chars;
      this.endToken = exported.end_token;
      this.T = exported.context_length;
      this.E = exported.embedding_size;
      this.H = exported.hidden_size;
      this.V = exported.vocab_size;
      this.maxNameLength = exported.max_name_length;
      const w = exported.weights;
      this.wte = float32Array(w.wte); // (V, E)
      this.w1 = float32Array(w.w1); // (H, T*E)
      this.b1 = float32Array(w.b1);
      this.w2 = float32Array(w.w2); // (V, H)
      this.b2 = float32Array(w.b2);
      this.trainNames = new Set(exported.train_names.split("\n"));
      this.heldOutNames = new Set(exported.held_out_names.split("\n"));
      this.originLabels = exported.origin_labels; // {en: {train: …}, zh: {train: …}}
      this.logitCache = new Map();
    }

    /** The logits (V) after a context of T token ids; each context computed once. */
    logits(context) {
      const key = context.join(",");
      if (!this.logitCache.has(key)) this.logitCache.set(key, this.forward(context));
      return this.logitCache.get(key);
    }

    /** tanh(concat(wte[x_1..x_T]) @ W1.T + b1) @ W2.T + b2, in float64. */
    forward(context) {
      const { T, E, H, V } = this;
      const x = new Float64Array(T * E);
      for (let t = 0; t < T; t++) {
        for (let e = 0; e < E; e++) x[t * E + e] = this.wte[context[t] * E + e];
      }
      const hidden = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let sum = this.b1[j];
        for (let i = 0; i < T * E; i++) sum += this.w1[j * T * E + i] * x[i];
        hidden[j] = Math.tanh(sum);
      }
      const out = new Float64Array(V);
      for (let v = 0; v < V; v++) {
        let sum = this.b2[v];
        for (let j = 0; j < H; j++) sum += this.w2[v * H + j] * hidden[j];
        out[v] = sum;
      }
      return out;
    }

    /** Token ids of ``text``; an unknown character raises an error naming it, in English
     * (``message``) and Chinese (``zh``), as Tokenizer.encode words it. */
    encode(text) {
      return Array.from(text, (c) => {
        const id = this.chars.indexOf(c);
        if (id < 0) {
          const letters = this.letters();
          const err = new Error(
            `character ${pyRepr(c)} is not in the vocabulary, whose letters are ${letters}`,
          );
          err.zh = `字符 ${pyRepr(c)} 不在词表里（词表里的字符是 ${letters}）`;
          throw err;
        }
        return id;
      });
    }

    /** The characters a name may hold, as Tokenizer.letters writes them ("a-z"). */
    letters() {
      const isAlnum = (c) => /^[\p{L}\p{N}]$/u.test(c);
      const chars = [...new Set(this.chars)].filter((c) => c !== "\n").sort();
      const runs = [];
      chars.forEach((c) => {
        const last = runs.length ? runs[runs.length - 1] : null;
        const previous = last && last[last.length - 1];
        const follows = previous && c.codePointAt(0) === previous.codePointAt(0) + 1;
        if (follows && isAlnum(c) && isAlnum(previous)) {
          last.push(c);
        } else {
          runs.push([c]);
        }
      });
      return runs
        .flatMap((run) =>
          run.length >= 3
            ? [`${run[0]}-${run[run.length - 1]}`]
            : run.map((c) => (isAlnum(c) ? c : pyRepr(c))),
        )
        .join(" ");
    }
  }

  /** A string as Python's repr writes it: 'ma', and "an'" for one holding a quote. */
  function pyRepr(text) {
    return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text}'`;
  }

  // -------------------------------------------------------------------------------------------
  // Sampling (ngram_helpers/sample.py)

  function checkTemperature(temperature) {
    if (!(Number.isFinite(temperature) && temperature >= 0)) {
      throw new Error(
        `temperature must be 0 (greedy) or a positive finite number, got ${temperature}`,
      );
    }
  }

  /** The distribution the sampler draws from: top-k, then softmax(logits / temperature). */
  function temperedProbs(logits, temperature, topK) {
    checkTemperature(temperature);
    const V = logits.length;
    if (!(Number.isInteger(topK) && topK >= 1 && topK <= V)) {
      throw new Error(`top_k must be between 1 and ${V}, got ${topK}`);
    }
    const kthLargest = Array.from(logits).sort((a, b) => b - a)[topK - 1];
    const kept = Array.from(logits, (l) => (l < kthLargest ? -Infinity : l));
    const probs = new Float64Array(V);
    if (temperature === 0) {
      probs[kept.indexOf(Math.max(...kept))] = 1; // greedy: the first most likely token
      return probs;
    }
    const scaled = kept.map((l) => l / temperature);
    if (scaled.some((s, i) => Number.isFinite(kept[i]) && !Number.isFinite(s))) {
      throw new Error(
        `temperature ${temperature} is too close to 0: the logits divided by it overflow; ` +
          "use 0 for greedy sampling",
      );
    }
    const max = Math.max(...scaled);
    let total = 0;
    for (let v = 0; v < V; v++) {
      probs[v] = Math.exp(scaled[v] - max);
      total += probs[v];
    }
    for (let v = 0; v < V; v++) probs[v] /= total;
    return probs;
  }

  function cumulative(probs) {
    const cdf = new Float64Array(probs.length);
    let sum = 0;
    probs.forEach((p, i) => {
      sum += p;
      cdf[i] = sum;
    });
    return cdf;
  }

  /** The first index whose cumulative probability exceeds ``coin`` (the last if none does). */
  function draw(cdf, coin) {
    const index = cdf.findIndex((c) => c > coin);
    return index < 0 ? cdf.length - 1 : index;
  }

  function startContext(model, prefix) {
    const padded = Array(model.T).fill(model.endToken).concat(model.encode(prefix));
    return padded.slice(padded.length - model.T);
  }

  /**
   * ``num`` names drawn in turn with one RNG(seed), as sample_from_table in Python.
   * ``onCdf(context, cdf)``, if given, sees each context's running sum when first computed.
   */
  function sampleNames(model, { num, seed, prefix = "", temperature = 1, topK }, onCdf) {
    topK = topK === undefined ? model.V : topK;
    temperedProbs(new Float64Array(model.V), temperature, topK); // check the knobs first
    if (!Number.isInteger(num) || num < 0) {
      throw new Error(`number of names must be >= 0, got ${num}`);
    }
    if (model.encode(prefix).includes(model.endToken)) {
      throw new Error("the prefix must not contain a newline");
    }
    const cdfs = new Map();
    const cdfAfter = (context) => {
      const key = context.join(",");
      if (!cdfs.has(key)) {
        const cdf = cumulative(temperedProbs(model.logits(context), temperature, topK));
        cdfs.set(key, cdf);
        if (onCdf) onCdf(context, cdf);
      }
      return cdfs.get(key);
    };
    const rng = new RNG(seed);
    const names = [];
    for (let n = 0; n < num; n++) {
      let context = startContext(model, prefix);
      let name = prefix;
      while (name.length < model.maxNameLength) {
        const token = draw(cdfAfter(context), rng.random());
        if (token === model.endToken) break;
        name += model.chars[token];
        context = context.slice(1).concat([token]);
      }
      names.push(name);
    }
    return names;
  }

  /** Where each name occurs: "train", else "val-test" (only in val or test), else "new". */
  function nameOrigins(model, names) {
    return names.map((n) =>
      model.trainNames.has(n) ? "train" : model.heldOutNames.has(n) ? "val-test" : "new",
    );
  }

  /** The filled bars of the chart (the sampler's distribution after the prefix), and the
   * outline (the model's own: temperature 1, every character). */
  function nextCharacter(model, prefix, temperature, topK) {
    const logits = model.logits(startContext(model, prefix));
    return {
      probs: temperedProbs(logits, temperature, topK),
      reference: temperedProbs(logits, 1, model.V),
    };
  }

  const api = {
    RNG,
    Model,
    temperedProbs,
    cumulative,
    draw,
    startContext,
    sampleNames,
    nameOrigins,
    nextCharacter,
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
    return;
  }
  window.NgramSampler = api;

  // -------------------------------------------------------------------------------------------
  // The widget on the page: controls in, names and a chart out

  const ORIGINS = ["train", "val-test", "new"];
  const LABELS = {
    en: {
      temperature: "temperature",
      names: "names",
      topK: "top-k",
      seed: "seed",
      prefix: "prefix",
      sampled: "Sampled names",
      cannot: "Cannot use this prefix: ",
      caption: (prefix, temperature, topK) =>
        `Next character after ${pyRepr(prefix)}: temperature ${temperature}, top-k ${topK}`,
      title: "next-character probabilities (gray: temperature 1, no top-k)",
      stale: "(the chart still shows the last usable prefix)",
    },
    zh: {
      temperature: "温度",
      names: "名字数",
      topK: "top-k",
      seed: "种子",
      prefix: "前缀",
      sampled: "采样得到的名字",
      cannot: "无法使用这个前缀：",
      caption: (prefix, temperature, topK) =>
        `${pyRepr(prefix)} 之后的下一个字符：温度 ${temperature}，top-k ${topK}`,
      title: "下一个字符的概率（灰线：温度 1，不用 top-k）",
      stale: "（图中仍是上一个可用前缀的分布）",
    },
  };
  const SVG = "http://www.w3.org/2000/svg";

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  function svgElement(tag, attributes = {}, text = "") {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  function percent(share) {
    return `${Math.round(share * 100)}%`;
  }

  /** The bar chart of the next-character distribution, as an SVG element. */
  function chart(model, probs, reference, title) {
    const width = 560;
    const height = 250;
    const left = 44;
    const right = 8;
    const top = 22;
    const bottom = 26;
    const step = (width - left - right) / model.V;
    const y = (p) => top + (1 - p) * (height - top - bottom);
    const svg = svgElement("svg", {
      class: "ngram-sampler-chart",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-label": title,
    });
    svg.appendChild(svgElement("text", { x: width / 2, y: 14, "text-anchor": "middle" }, title));
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      svg.appendChild(
        svgElement("line", {
          x1: left,
          x2: width - right,
          y1: y(tick),
          y2: y(tick),
          class: "grid",
        }),
      );
      svg.appendChild(
        svgElement("text", { x: left - 4, y: y(tick) + 3, "text-anchor": "end" }, String(tick)),
      );
    }
    let outline = `M ${left} ${y(0)}`;
    for (let v = 0; v < model.V; v++) {
      const x = left + v * step;
      svg.appendChild(
        svgElement("rect", {
          class: "bar",
          x,
          y: y(probs[v]),
          width: step,
          height: y(0) - y(probs[v]),
          "data-char": model.chars[v],
          "data-prob": String(probs[v]),
        }),
      );
      outline += ` L ${x} ${y(reference[v])} L ${x + step} ${y(reference[v])}`;
      const label = model.chars[v] === "\n" ? "." : model.chars[v];
      svg.appendChild(
        svgElement("text", { x: x + step / 2, y: height - 10, "text-anchor": "middle" }, label),
      );
    }
    outline += ` L ${width - right} ${y(0)}`;
    svg.appendChild(svgElement("path", { class: "outline", d: outline }));
    return svg;
  }

  function slider(labels, key, min, max, step, value) {
    const label = element("label", { class: `ngram-control ngram-control-${key}` });
    const input = element("input", { type: "range", min, max, step, value, name: key });
    const readout = element("output", {}, String(value));
    label.append(element("span", {}, labels[key]), input, readout);
    return { label, input, readout };
  }

  function mount(root, model) {
    const lang = root.dataset.lang === "zh" ? "zh" : "en";
    const labels = LABELS[lang];
    const originLabels = model.originLabels[lang]; // the Python widget's words, exported
    const controls = {
      temperature: slider(labels, "temperature", 0, 2, 0.05, root.dataset.temperature || 1),
      names: slider(labels, "names", 1, 50, 1, root.dataset.numNames || 20),
      topK: slider(labels, "topK", 1, model.V, 1, model.V),
      seed: slider(labels, "seed", 1, 1000, 1, root.dataset.seed || 42),
    };
    const prefixLabel = element("label", { class: "ngram-control ngram-control-prefix" });
    const prefix = element("input", { type: "text", name: "prefix", placeholder: "e.g. ma" });
    prefix.value = root.dataset.prefix || "";
    prefixLabel.append(element("span", {}, labels.prefix), prefix);
    const panel = element("div", { class: "ngram-sampler-controls" });
    Object.values(controls).forEach((c) => panel.appendChild(c.label));
    panel.appendChild(prefixLabel);
    const message = element("div", { class: "ngram-sampler-message" });
    const namesBox = element("div", { class: "ngram-sampler-names" });
    const caption = element("div", { class: "ngram-sampler-chart-caption" });
    const chartBox = element("div", { class: "ngram-sampler-chart-box" });
    const results = element("div", { class: "ngram-sampler-results" });
    const right = element("div");
    right.append(caption, chartBox);
    results.append(namesBox, right);
    root.replaceChildren(panel, message, results);

    function redraw() {
      const temperature = Number(controls.temperature.input.value);
      const topK = Number(controls.topK.input.value);
      const settings = {
        num: Number(controls.names.input.value),
        seed: Number(controls.seed.input.value),
        prefix: prefix.value.trim().toLowerCase(),
        temperature,
        topK,
      };
      Object.values(controls).forEach((c) => {
        c.readout.textContent = c === controls.temperature ? temperature.toFixed(2) : c.input.value;
      });
      let names;
      try {
        names = sampleNames(model, settings);
      } catch (err) {
        message.textContent = labels.cannot + ((lang === "zh" && err.zh) || err.message);
        namesBox.replaceChildren();
        caption.textContent = labels.stale;
        return;
      }
      message.textContent = "";
      const origins = nameOrigins(model, names);
      const shares = ORIGINS.map(
        (o) =>
          `${originLabels[o]} ` +
          percent(origins.filter((x) => x === o).length / Math.max(names.length, 1)),
      );
      const head = element("div", { class: "ngram-sampler-shares" });
      head.append(element("b", {}, labels.sampled), `: ${shares.join(" · ")}`);
      const list = element("ol", { class: "ngram-sampler-list" });
      names.forEach((name, i) => {
        const item = element("li", { class: `ngram-name ngram-origin-${origins[i]}` });
        const origin = element("small", {}, `(${originLabels[origins[i]]})`);
        item.append(element("b", {}, name), " ", origin);
        list.appendChild(item);
      });
      namesBox.replaceChildren(head, list);
      const { probs, reference } = nextCharacter(model, settings.prefix, temperature, topK);
      caption.textContent = labels.caption(settings.prefix, temperature.toFixed(2), topK);
      chartBox.replaceChildren(chart(model, probs, reference, labels.title));
    }

    Object.values(controls).forEach((c) => c.input.addEventListener("input", redraw));
    prefix.addEventListener("input", redraw);
    redraw();
  }

  function mountAll() {
    const roots = document.querySelectorAll(".ngram-js-sampler");
    if (!roots.length) return;
    const model = new Model(window.NGRAM_SAMPLER_MODEL);
    roots.forEach((root) => mount(root, model));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
