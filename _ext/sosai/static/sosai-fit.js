/* "Will it fit?" (sosai.features.fitcalc): the calculator's form, on its page only.
 *
 * The build reduces each model to a few numbers (#sosai-fit-data): its weights in bytes
 * at each precision, the KV elements per token of its full and windowed layers, and
 * the window. This script only evaluates
 *   weights + batch * bytes_per_element * (full * n + windowed * min(n, window)) + overhead
 * (the same arithmetic, in the same order, as fitcalc.KVShape.kv_bytes) and sorts the
 * devices listed on the page into those whose memory holds the total and those that
 * do not. No model knowledge lives here.
 */
(() => {
  "use strict";
  const GB = 1e9;
  const source = document.getElementById("sosai-fit-data");
  const form = document.querySelector("form.sosai-fit-form");
  const result = document.querySelector("div.sosai-fit-result");
  if (!source || !form || !result) return;
  const data = JSON.parse(source.textContent);
  const byId = (list) => Object.fromEntries(list.map((item) => [item.id, item]));
  const models = byId(data.models);
  const kvs = byId(data.kv);
  const $ = (id) => document.getElementById(id);
  const format = (bytes) =>
    (bytes / GB).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const whole = (value, fallback) => {
    const n = Math.floor(Number(value));
    return Number.isFinite(n) && n >= 1 ? n : fallback;
  };

  // The device list, split by the build into "holds it" and "too small" for the
  // defaults (fitcalc.visit_fit_devices); each in memory order.
  const box = document.querySelector("div.sosai-fit-devices");
  const items = {};
  let holds = null;
  let short = null;
  if (box) {
    box.querySelectorAll("li[id]").forEach((li) => { items[li.id] = li; });
    const part = (id, cls) => {
      const heading = document.getElementById(id);
      const list = box.querySelector(`ul.${cls}`);
      if (!heading || !list) return null;
      list.setAttribute("aria-labelledby", id);
      return { heading, list };
    };
    holds = part("fit-holds", "sosai-fit-holds");
    short = part("fit-short", "sosai-fit-short");
    if (!holds || !short) holds = short = null;
  }

  function update() {
    const model = models[form.elements.model.value] || data.models[0];
    const weights = model.weights[form.elements.precision.value] ?? 0;
    const perElement = (kvs[form.elements.kv.value] || data.kv[0]).bytes;
    const n = whole(form.elements.context.value, data.defaults.context);
    const batch = whole(form.elements.batch.value, data.defaults.batch);
    const overheadGb = Number(form.elements.overhead.value);
    const overhead = Number.isFinite(overheadGb) && overheadGb >= 0 ? overheadGb * GB : 0;
    const full = model.full * perElement;
    const windowed = model.windowed * perElement;
    const kv = batch * (full * n + windowed * Math.min(n, model.window));
    const total = weights + kv + overhead;
    $("fit-out-weights").value = format(weights);
    $("fit-out-kv").value = format(kv);
    $("fit-out-overhead").value = format(overhead);
    $("fit-out-total").value = format(total);

    let fitting = 0;
    if (holds) {
      const yes = [];
      const no = [];
      for (const device of data.devices) {
        const li = items[device.id];
        if (!li) continue;
        (device.bytes >= total ? yes : no).push(li);
      }
      holds.list.replaceChildren(...yes);
      short.list.replaceChildren(...no);
      holds.heading.textContent = `Hold ${format(total)} GB (${yes.length}):`;
      short.heading.textContent = `Too small (${no.length}):`;
      holds.heading.hidden = holds.list.hidden = yes.length === 0;
      short.heading.hidden = short.list.hidden = no.length === 0;
      fitting = yes.length;
    }
    $("fit-summary").textContent =
      `${model.name}: about ${format(total)} GB in all; ` +
      `${fitting} of ${data.devices.length} devices and accelerators listed below hold it.`;
    const notes = [];
    if (model.context && n > model.context) {
      notes.push(`${n.toLocaleString("en-GB")} tokens is more than ${model.name}'s ` +
        `${model.context.toLocaleString("en-GB")}-token context.`);
    }
    if (model.windowed && n > model.window) {
      notes.push(`Windowed layers hold ${model.window.toLocaleString("en-GB")} tokens each; ` +
        "engines may keep more.");
    }
    if (model.note) notes.push(model.note);
    $("fit-note").textContent = notes.join(" ");
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.hidden = false;
  result.hidden = false;
  update();
})();
