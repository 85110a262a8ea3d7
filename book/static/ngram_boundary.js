/*
 * Notebook 01's decision-boundary explorer on the book's page, without Python.
 *
 * tools/export_boundary.py trained every setting the page offers with the package's own code
 * (the widget's make_mlp and fit_full_batch) and stored, for each, P(class 1) on a grid, the loss
 * curves and the widget's summary line (window.NGRAM_BOUNDARY_DATA). Moving a control here looks
 * that setting up and draws it: the shaded probabilities, the 0.5 boundary, the training points,
 * and the train / val loss curves. Every <div class="ngram-js-boundary"> becomes an explorer.
 */
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const LABELS = {
    en: { activation: "activation", width: "hidden width", lr: "learning rate", steps: "steps" },
    zh: { activation: "激活函数", width: "隐藏层宽度", lr: "学习率", steps: "步数" },
  };

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

  function bytes(base64) {
    const binary = atob(base64);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  /** Blue (P = 0) through white to red (P = 1), as matplotlib's RdBu_r, faded like alpha 0.4. */
  function shade(p) {
    const blue = [33, 102, 172];
    const red = [178, 24, 43];
    const end = p < 0.5 ? blue : red;
    const t = Math.abs(p - 0.5) * 2 * 0.6;
    return end.map((c) => Math.round(255 + (c - 255) * t));
  }

  /** The probability grid, the 0.5 boundary between grid cells, and the training points. */
  function boundaryPicture(data, grid, size) {
    const n = data.resolution;
    const canvas = element("canvas", { width: size, height: size, class: "ngram-boundary-map" });
    const ctx = canvas.getContext("2d");
    const cell = size / n;
    const p = (i, j) => grid[j * n + i] / 255; // column i, row j from the bottom
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = `rgb(${shade(p(i, j)).join(",")})`;
        ctx.fillRect(i * cell, size - (j + 1) * cell, cell + 0.5, cell + 0.5);
      }
    }
    ctx.strokeStyle = "black";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const side = p(i, j) >= 0.5;
        if (i + 1 < n && p(i + 1, j) >= 0.5 !== side) {
          ctx.moveTo((i + 1) * cell, size - j * cell);
          ctx.lineTo((i + 1) * cell, size - (j + 1) * cell);
        }
        if (j + 1 < n && p(i, j + 1) >= 0.5 !== side) {
          ctx.moveTo(i * cell, size - (j + 1) * cell);
          ctx.lineTo((i + 1) * cell, size - (j + 1) * cell);
        }
      }
    }
    ctx.stroke();
    const [x0, x1, y0, y1] = data.bounds;
    data.x_train.forEach(([x, y], k) => {
      ctx.beginPath();
      const px = ((x - x0) / (x1 - x0)) * size;
      const py = size - ((y - y0) / (y1 - y0)) * size;
      ctx.arc(px, py, 4, 0, 2 * Math.PI);
      ctx.fillStyle = data.y_train[k] ? "#d62728" : "#1f77b4";
      ctx.fill();
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1;
      ctx.stroke();
    });
    return canvas;
  }

  /** The train and val loss curves, as an SVG element. */
  function lossCurves(record, steps) {
    const width = 360;
    const height = 300;
    const left = 40;
    const bottom = 24;
    const top = 16;
    const every = Math.max(1, Math.floor(steps / 100));
    const most = Math.max(...record.train, ...record.val, 1e-9);
    const x = (k) => left + (((k + 1) * every) / steps) * (width - left - 8);
    const y = (v) => top + (1 - v / most) * (height - top - bottom);
    const svg = svgElement("svg", {
      class: "ngram-boundary-loss",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
    });
    svg.appendChild(svgElement("text", { x: width / 2, y: 12, "text-anchor": "middle" }, "loss"));
    svg.appendChild(
      svgElement("line", { x1: left, x2: width - 8, y1: y(0), y2: y(0), class: "axis" }),
    );
    svg.appendChild(svgElement("text", { x: left - 4, y: y(0) + 4, "text-anchor": "end" }, "0"));
    svg.appendChild(
      svgElement("text", { x: left - 4, y: y(most) + 4, "text-anchor": "end" }, most.toFixed(2)),
    );
    svg.appendChild(
      svgElement("text", { x: width - 8, y: height - 6, "text-anchor": "end" }, `${steps} steps`),
    );
    for (const [name, values] of [
      ["train", record.train],
      ["val", record.val],
    ]) {
      const d = values.map((v, k) => `${k ? "L" : "M"} ${x(k)} ${y(v)}`).join(" ");
      svg.appendChild(svgElement("path", { d, class: `curve curve-${name}` }));
      const end = { x: width - 12, y: y(values[values.length - 1]) - 4 };
      svg.appendChild(
        svgElement("text", { ...end, class: `label-${name}`, "text-anchor": "end" }, name),
      );
    }
    return svg;
  }

  function control(label, input, readout) {
    const wrapper = element("label", { class: "ngram-control" });
    wrapper.append(element("span", {}, label), input);
    if (readout) wrapper.append(readout);
    return wrapper;
  }

  function indexSlider(name, values, value) {
    const input = element("input", {
      type: "range",
      name,
      min: 0,
      max: values.length - 1,
      step: 1,
      value: Math.max(0, values.indexOf(value)),
    });
    const readout = element("output", {}, String(value));
    return { input, readout, value: () => values[Number(input.value)] };
  }

  function mount(root, data) {
    const lang = root.dataset.lang === "zh" ? "zh" : "en";
    const labels = LABELS[lang];
    const activation = element("select", { name: "activation" });
    data.activations.forEach((a) => activation.appendChild(element("option", { value: a }, a)));
    activation.value = data.default.activation;
    const width = indexSlider("hidden_width", data.widths, data.default.hidden_width);
    const lr = indexSlider("learning_rate", data.learning_rates, data.default.learning_rate);
    const steps = indexSlider("steps", data.steps, data.default.steps);
    const panel = element("div", { class: "ngram-sampler-controls" });
    panel.append(
      control(labels.activation, activation),
      control(labels.width, width.input, width.readout),
      control(labels.lr, lr.input, lr.readout),
      control(labels.steps, steps.input, steps.readout),
    );
    const summary = element("code", { class: "ngram-boundary-summary" });
    const pictures = element("div", { class: "ngram-boundary-pictures" });
    root.replaceChildren(panel, summary, pictures);

    function redraw() {
      const setting = [activation.value, width.value(), lr.value(), steps.value()];
      [width, lr, steps].forEach((s) => {
        s.readout.textContent = String(s.value());
      });
      const record = data.settings[setting.join("/")];
      summary.textContent = record.summary[lang];
      pictures.replaceChildren(
        boundaryPicture(data, bytes(record.grid), 300),
        lossCurves(record, steps.value()),
      );
    }

    activation.addEventListener("change", redraw);
    [width, lr, steps].forEach((s) => s.input.addEventListener("input", redraw));
    redraw();
  }

  function mountAll() {
    document
      .querySelectorAll(".ngram-js-boundary")
      .forEach((root) => mount(root, window.NGRAM_BOUNDARY_DATA));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
