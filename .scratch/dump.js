"use strict";

// .scratch/dump.ts
var import_node_fs = require("node:fs");

// src/core/languages.ts
function isPythonFile(fileName) {
  return /\.pyw?$/i.test(fileName);
}

// src/core/labels.ts
function closing(text, open) {
  const pairs = { "(": ")", "[": "]", "{": "}" };
  const stack = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return void 0;
      i = end;
    } else if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return i + 1;
    }
  }
  return void 0;
}
function splitArgs(text, start, end) {
  const parts = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      const close = text.indexOf(c, i + 1);
      if (close < 0 || close >= end) break;
      i = close;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push({ text: text.slice(from, i), start: from });
      from = i + 1;
    }
  }
  if (text.slice(from, end).trim()) parts.push({ text: text.slice(from, end), start: from });
  return parts.map((p) => {
    const lead = p.text.length - p.text.trimStart().length;
    return { text: p.text.trim(), start: p.start + lead };
  });
}
function statementEnd(text, start) {
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if ("([{".includes(c)) {
      const end = closing(text, i);
      if (end === void 0) return text.length;
      i = end - 1;
    } else if (c === '"' || c === "'" || c === "`") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return text.length;
      i = end;
    } else if (c === "\n" || c === ";" || c === "#") return i;
  }
  return text.length;
}
var IDENT = /^[A-Za-z_$][\w$]*$/;
function escape(name) {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function assignment(text, name, before) {
  const pattern = new RegExp(`^[ \\t]*(?:(?:const|let|var)[ \\t]+)?([^\\n=]*?(?<![\\w$])${escape(name)}(?![\\w$])[^\\n=]*?)[ \\t]*=(?!=)[ \\t]*`, "gm");
  let found;
  for (const match of text.slice(0, before).matchAll(pattern)) {
    const lhs = match[1].trim();
    const start = match.index + match[0].length;
    const value = { text: text.slice(start, statementEnd(text, start)).trim(), start };
    if (lhs === name) {
      found = { value };
      continue;
    }
    const flat = lhs.replace(/^\[|\]$/g, "");
    const nested = /[()]/.test(flat);
    const names = flat.replace(/[()]/g, "").split(",").map((n) => n.trim());
    const index = names.indexOf(name);
    if (index >= 0 && names.every((n) => IDENT.test(n) || n === "_" || n === "")) found = { value, index, targets: names.length, nested };
  }
  return found;
}
function numberOf(text, expr, before) {
  const literal = Number(expr.trim());
  if (expr.trim() && Number.isFinite(literal)) return literal;
  if (IDENT.test(expr.trim())) {
    const assigned = assignment(text, expr.trim(), before);
    if (assigned && assigned.index === void 0) {
      const n = Number(assigned.value.text);
      if (Number.isFinite(n)) return n;
    }
  }
  return void 0;
}
function argument(call, name, position) {
  const open = call.text.indexOf("(");
  if (open < 0) return void 0;
  const end = closing(call.text, open);
  if (end === void 0) return void 0;
  const args = splitArgs(call.text, open + 1, end - 1);
  const keyword = args.find((a) => name.test(a.text.split("=")[0].trim()) && /^[\w]+\s*=(?!=)/.test(a.text));
  if (keyword) return keyword.text.slice(keyword.text.indexOf("=") + 1).trim();
  const positional = args.filter((a) => !/^[\w]+\s*=(?!=)/.test(a.text));
  return positional[position]?.text;
}
function literalNumbers(expr) {
  const array = /\[[\s\S]*\]/.exec(expr);
  if (!array) return void 0;
  const body = array[0].replace(/[[\]\s]/g, "");
  if (!body) return void 0;
  const values = body.split(",").filter(Boolean).map(Number);
  return values.every(Number.isFinite) ? values : void 0;
}
var CLASS_DATASETS = { mnist: 10, fashion_mnist: 10, cifar10: 10, cifar100: 100, imdb: 2, reuters: 46 };
function classify(text, expr, unpacked, inputs, depth) {
  const e = expr.text;
  const before = expr.start;
  const fact = (f2) => f2;
  if (/\bto_categorical\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\bto_categorical\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^num_classes$/, 1) ?? "", before);
    return fact({ kind: "one-hot", ...classes !== void 0 ? { classes } : {} });
  }
  if (/\boneHot\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\boneHot\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^depth$/, 1) ?? "", before);
    return fact({ kind: "one-hot", ...classes !== void 0 ? { classes } : {} });
  }
  if (/\bmake_classification\s*\(/.test(e) && (unpacked.index === void 0 || unpacked.index === 1)) {
    const call = { text: e.slice(e.search(/\bmake_classification\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^n_classes$/, 99) ?? "2", before) ?? 2;
    return fact({ kind: classes === 2 ? "binary" : "class-ids", classes });
  }
  if (/\bmake_blobs\s*\(/.test(e) && (unpacked.index === void 0 || unpacked.index === 1)) {
    const call = { text: e.slice(e.search(/\bmake_blobs\s*\(/)), start: before };
    const classes = numberOf(text, argument(call, /^centers$/, 99) ?? "3", before) ?? 3;
    return fact({ kind: classes === 2 ? "binary" : "class-ids", classes });
  }
  if (/\bmake_(regression|friedman\d)\s*\(|\bload_(boston|diabetes)\s*\(|\bfetch_california_housing\s*\(|\bboston_housing\.load_data\s*\(/.test(e)) {
    return fact({ kind: "regression" });
  }
  const dataset = /\b(mnist|fashion_mnist|cifar10|cifar100|imdb|reuters)\.load_data\s*\(/.exec(e);
  if (dataset && unpacked.nested) {
    const classes = CLASS_DATASETS[dataset[1]];
    return fact({ kind: classes === 2 ? "binary" : "class-ids", classes });
  }
  if (/\bload_(iris|wine|breast_cancer|digits)\s*\(/.test(e)) {
    const classes = /iris|wine/.test(e) ? 3 : /digits/.test(e) ? 10 : 2;
    return fact({ kind: classes === 2 ? "binary" : "class-ids", classes });
  }
  if (/\btrain_test_split\s*\(/.test(e) && unpacked.index !== void 0) return "follow";
  if (/\brandint\s*\(/.test(e)) {
    const call = { text: e.slice(e.search(/\brandint\s*\(/)), start: before };
    const first = numberOf(text, argument(call, /^low$/, 0) ?? "", before);
    const second = numberOf(text, argument(call, /^high$/, 1) ?? "", before);
    const low = second === void 0 ? 0 : first;
    const high = second ?? first;
    if (low === 0 && high !== void 0) return fact({ kind: high === 2 ? "binary" : "class-ids", classes: high });
    if (low !== void 0 && high !== void 0) return fact({ kind: "regression", min: low, max: high - 1 });
    return void 0;
  }
  if (/(>|<|==|\bgreater|\bless)/.test(e) && /\b(astype|cast|toFloat|asType)\b|\bint\(|\bfloat\(/.test(e)) return fact({ kind: "binary", classes: 2 });
  if (/\b(randn|standard_normal|randomNormal|truncatedNormal)\s*\(|\brandom\.normal\s*\(/.test(e)) return fact({ kind: "regression" });
  if (/\brandom\.(rand|random|random_sample)\s*\(/.test(e) && !/[*+\-/]/.test(e.replace(/\([^)]*\)/g, ""))) return fact({ kind: "regression", min: 0, max: 1 });
  const uniform = /\b(random\.uniform|randomUniform)\s*\(/.exec(e);
  if (uniform && !/[*+\-/]/.test(e.replace(/\([^)]*\)/g, ""))) {
    const call = { text: e.slice(uniform.index), start: before };
    const python = uniform[1] === "random.uniform";
    const low = numberOf(text, argument(call, /^(low|minval)$/, python ? 0 : 1) ?? "", before) ?? 0;
    const high = numberOf(text, argument(call, /^(high|maxval)$/, python ? 1 : 2) ?? "", before) ?? 1;
    return fact({ kind: "regression", min: low, max: high });
  }
  const values = /^\[/.test(e) ? e : /^(np\.array|np\.asarray|tf\.tensor\w*|tf\.constant)\s*\(/.test(e) ? argument(expr, /^(values|object)$/, 0) : void 0;
  const numbers = values ? literalNumbers(values) : void 0;
  if (numbers?.length) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    if (numbers.every((n) => n === 0 || n === 1)) return fact({ kind: "binary", classes: 2 });
    if (numbers.every(Number.isInteger) && min >= 0 && max < 20) return fact({ kind: "class-ids", classes: max + 1 });
    return fact({ kind: "regression", min, max });
  }
  if (depth >= 0 && inputs.some((name) => new RegExp(`(?<![\\w$])${escape(name)}(?![\\w$])`).test(e)) && (/[*+\-/]|\*\*/.test(e) || /\.(mul|add|sub|div|square|pow|sin|cos)\(|\b(np\.)?(sin|cos|exp|log|sqrt|dot)\s*\(|@/.test(e))) {
    return fact({ kind: "regression" });
  }
  return void 0;
}
function fitArguments(text, modelName, onlyModel) {
  const calls = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(modelName) ? [...text.matchAll(new RegExp(`(?<![\\w$.])${escape(modelName)}\\.fit\\s*\\(`, "g"))] : [];
  const all = calls.length ? calls : onlyModel ? [...text.matchAll(/\.fit\s*\(/g)] : [];
  const call = all[0];
  if (!call) return void 0;
  const open = call.index + call[0].length - 1;
  const end = closing(text, open);
  if (end === void 0) return void 0;
  const args = splitArgs(text, open + 1, end - 1);
  const keyword = (key) => {
    const arg = args.find((a) => new RegExp(`^${key}\\s*=(?!=)`).test(a.text));
    if (!arg) return void 0;
    const at = arg.text.indexOf("=") + 1;
    const lead = arg.text.slice(at).length - arg.text.slice(at).trimStart().length;
    return { text: arg.text.slice(at).trim(), start: arg.start + at + lead };
  };
  const positional = args.filter((a) => !/^\w+\s*=(?!=)/.test(a.text));
  const label = keyword("y") ?? positional[1];
  const input = keyword("x") ?? positional[0];
  return label ? { label, ...input ? { input } : {} } : void 0;
}
function labelFacts(text, model, onlyModel) {
  const fit = fitArguments(text, model.name, onlyModel);
  if (!fit) return void 0;
  const inputs = fit.input && IDENT.test(fit.input.text) ? [fit.input.text] : [];
  let expr = fit.label;
  let unpacked = {};
  for (let depth = 0; depth < 8; depth++) {
    const name = expr.text.replace(/\.values$|\.to_numpy\(\)$|\.reshape\(.*\)$/, "");
    if (IDENT.test(name)) {
      const assigned = assignment(text, name, expr.start);
      if (!assigned) return void 0;
      expr = assigned.value;
      unpacked = assigned;
      continue;
    }
    const result = classify(text, expr, unpacked, inputs, depth);
    if (result === "follow") {
      const open = expr.text.indexOf("(");
      const end = closing(expr.text, open);
      if (end === void 0 || unpacked.index === void 0) return void 0;
      const arrays = splitArgs(expr.text, open + 1, end - 1).filter((a) => !/^\w+\s*=(?!=)/.test(a.text));
      const source = arrays[Math.floor(unpacked.index / 2)];
      if (!source) return void 0;
      expr = { text: source.text, start: expr.start + source.start };
      unpacked = {};
      continue;
    }
    if (!result) return void 0;
    const range = { start: expr.start, end: expr.start + expr.text.length };
    return { ...result, range, text: expr.text.length > 80 ? `${expr.text.slice(0, 77)}...` : expr.text };
  }
  return void 0;
}
function lossTakesLogits(text, model) {
  const loss = model.compile?.configRanges.loss?.value;
  if (!loss) return false;
  const written = text.slice(loss.start, loss.end);
  if (/from_logits\s*=\s*True|fromLogits\s*:\s*true|softmaxCrossEntropy|sigmoidCrossEntropy|softmax_cross_entropy|sigmoid_cross_entropy/.test(written)) return true;
  if (IDENT.test(written.trim())) {
    const assigned = assignment(text, written.trim(), loss.start);
    return !!assigned && /from_logits\s*=\s*True|fromLogits\s*:\s*true|softmaxCrossEntropy|sigmoidCrossEntropy/.test(assigned.value.text);
  }
  return false;
}
function withTrainingFacts(text, result) {
  const onlyModel = result.models.length === 1;
  return {
    ...result,
    models: result.models.map((model) => {
      let labels;
      let logits = false;
      try {
        labels = labelFacts(text, model, onlyModel);
        logits = lossTakesLogits(text, model);
      } catch {
        return model;
      }
      return labels || logits ? { ...model, ...labels ? { labels } : {}, ...logits ? { lossFromLogits: true } : {} } : model;
    })
  };
}

// src/core/ir.ts
var CLIPPED_OPTIMIZER_CALL = "gradientLens.withGradientClipping";
function isCallValue(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$call" in value;
}
function isUnknownValue(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$unknown" in value;
}
function isConfigObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !("$call" in value) && !("$unknown" in value);
}

// src/core/parse/tfjsApi.ts
var TFJS_MODULES = /* @__PURE__ */ new Set([
  "@tensorflow/tfjs",
  "@tensorflow/tfjs-node",
  "@tensorflow/tfjs-node-gpu",
  "@tensorflow/tfjs-layers"
]);
var LAYER_FACTORIES = /* @__PURE__ */ new Set([
  "inputLayer",
  "elu",
  "reLU",
  "leakyReLU",
  "prelu",
  "softmax",
  "thresholdedReLU",
  "conv1d",
  "conv2d",
  "conv2dTranspose",
  "conv3d",
  "conv3dTranspose",
  "separableConv2d",
  "cropping2D",
  "upSampling2d",
  "depthwiseConv2d",
  "activation",
  "dense",
  "dropout",
  "spatialDropout1d",
  "flatten",
  "repeatVector",
  "reshape",
  "permute",
  "embedding",
  "add",
  "average",
  "concatenate",
  "maximum",
  "minimum",
  "multiply",
  "dot",
  "batchNormalization",
  "layerNormalization",
  "zeroPadding2d",
  "averagePooling1d",
  "avgPool1d",
  "avgPooling1d",
  "averagePooling2d",
  "avgPool2d",
  "avgPooling2d",
  "averagePooling3d",
  "avgPool3d",
  "avgPooling3d",
  "globalAveragePooling1d",
  "globalAveragePooling2d",
  "globalMaxPooling1d",
  "globalMaxPooling2d",
  "globalMaxPool1d",
  "globalMaxPool2d",
  "maxPooling1d",
  "maxPooling2d",
  "maxPooling3d",
  "maxPool1d",
  "maxPool2d",
  "gru",
  "gruCell",
  "lstm",
  "lstmCell",
  "simpleRNN",
  "simpleRNNCell",
  "convLstm2d",
  "convLstm2dCell",
  "rnn",
  "stackedRNNCells",
  "bidirectional",
  "timeDistributed",
  "gaussianNoise",
  "gaussianDropout",
  "alphaDropout",
  "masking",
  "rescaling",
  "centerCrop",
  "resizing",
  "categoryEncoding",
  "randomWidth"
]);
var MERGE_LAYERS = /* @__PURE__ */ new Set([
  "add",
  "average",
  "concatenate",
  "maximum",
  "minimum",
  "multiply",
  "dot"
]);
function layerNameStem(type) {
  if (type === "inputLayer") return "input";
  if (type === "simpleRNN") return "simple_rnn";
  if (type === "reLU") return "re_lu";
  if (type === "prelu") return "p_re_lu";
  if (type === "leakyReLU") return "leaky_re_lu";
  if (type === "thresholdedReLU") return "thresholded_re_lu";
  return type.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

// src/core/shapeInference.ts
var ShapeError = class extends Error {
};
function num(value, fallback) {
  return typeof value === "number" ? value : fallback;
}
function tuple(value, n, fallback) {
  if (typeof value === "number") return Array(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every((v) => typeof v === "number")) return value;
  if (value === void 0 || value === null) return Array(n).fill(fallback);
  throw new ShapeError(`expects ${n} numbers, got ${JSON.stringify(value)}`);
}
function convLength(length, kernel, padding, stride, dilation) {
  if (length === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  const out = padding === "same" ? length : length - dilated + 1;
  return Math.floor((out + stride - 1) / stride);
}
function deconvLength(length, stride, kernel, padding) {
  if (length === null) return null;
  return padding === "valid" ? length * stride + Math.max(kernel - stride, 0) : length * stride;
}
function known(dim, what) {
  if (typeof dim !== "number") throw new ShapeError(`needs a known ${what}`);
  return dim;
}
function product(dims) {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}
var IDENTITY = /* @__PURE__ */ new Set([
  "dropout",
  "spatialDropout1d",
  "gaussianNoise",
  "gaussianDropout",
  "alphaDropout",
  "activation",
  "reLU",
  "leakyReLU",
  "elu",
  "softmax",
  "thresholdedReLU",
  "masking",
  "rescaling"
]);
function rnnParams(type, inputDim, units, useBias) {
  const gates = type === "lstm" ? 4 : type === "gru" ? 3 : 1;
  return gates * (inputDim * units + units * units + (useBias ? units : 0));
}
function inferLayer(type, config, inputs) {
  const input = inputs[0];
  const rank = input.length;
  const last = input[rank - 1] ?? null;
  const useBias = config.useBias !== false;
  if (IDENTITY.has(type)) return { shape: [...input], params: 0 };
  switch (type) {
    case "inputLayer":
      return { shape: [...input], params: 0 };
    case "dense": {
      const units = known(config.units, "`units`");
      const d = known(last, "last input dimension");
      return { shape: [...input.slice(0, -1), units], params: d * units + (useBias ? units : 0) };
    }
    case "conv1d":
    case "conv2d":
    case "conv3d": {
      const spatial = type === "conv1d" ? 1 : type === "conv2d" ? 2 : 3;
      if (rank !== spatial + 2) throw new ShapeError(`expects a ${spatial + 2}D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === "channelsFirst";
      const channels = known(channelsFirst ? input[1] : last, "number of input channels");
      const filters = known(config.filters, "`filters`");
      const kernel = tuple(config.kernelSize, spatial, NaN);
      if (kernel.some(Number.isNaN)) throw new ShapeError("needs `kernelSize`");
      const strides = tuple(config.strides, spatial, 1);
      const dilation = tuple(config.dilationRate, spatial, 1);
      const padding = typeof config.padding === "string" ? config.padding : "valid";
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, kernel[i], padding, strides[i], dilation[i]));
      if (out.some((d) => d !== null && d <= 0)) throw new ShapeError(`kernel ${kernel.join("x")} does not fit the input ${dims.join("x")} with '${padding}' padding`);
      const shape = channelsFirst ? [input[0], filters, ...out] : [input[0], ...out, filters];
      return { shape, params: product(kernel) * channels * filters + (useBias ? filters : 0) };
    }
    case "conv2dTranspose": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === "channelsFirst";
      const channels = known(channelsFirst ? input[1] : last, "number of input channels");
      const filters = known(config.filters, "`filters`");
      const kernel = tuple(config.kernelSize, 2, NaN);
      const strides = tuple(config.strides, 2, 1);
      const padding = typeof config.padding === "string" ? config.padding : "valid";
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => deconvLength(d, strides[i], kernel[i], padding));
      const shape = channelsFirst ? [input[0], filters, ...out] : [input[0], ...out, filters];
      return { shape, params: kernel[0] * kernel[1] * channels * filters + (useBias ? filters : 0) };
    }
    case "separableConv2d":
    case "depthwiseConv2d": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === "channelsFirst";
      const channels = known(channelsFirst ? input[1] : last, "number of input channels");
      const kernel = tuple(config.kernelSize, 2, NaN);
      if (kernel.some(Number.isNaN)) throw new ShapeError("needs `kernelSize`");
      const strides = tuple(config.strides, 2, 1);
      const dilation = tuple(config.dilationRate, 2, 1);
      const padding = typeof config.padding === "string" ? config.padding : "valid";
      const multiplier = num(config.depthMultiplier, 1);
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, kernel[i], padding, strides[i], dilation[i]));
      const depthwise = kernel[0] * kernel[1] * channels * multiplier;
      const filters = type === "separableConv2d" ? known(config.filters, "`filters`") : channels * multiplier;
      const params = type === "separableConv2d" ? depthwise + channels * multiplier * filters + (useBias ? filters : 0) : depthwise + (useBias ? filters : 0);
      const shape = channelsFirst ? [input[0], filters, ...out] : [input[0], ...out, filters];
      return { shape, params };
    }
    case "maxPooling1d":
    case "maxPool1d":
    case "averagePooling1d":
    case "avgPool1d":
    case "avgPooling1d": {
      if (rank !== 3) throw new ShapeError(`expects a 3D input, got ${rank}D`);
      const pool = Array.isArray(config.poolSize) ? num(config.poolSize[0], 2) : num(config.poolSize, 2);
      const stride = Array.isArray(config.strides) ? num(config.strides[0], pool) : num(config.strides, pool);
      const padding = typeof config.padding === "string" ? config.padding : "valid";
      return { shape: [input[0], convLength(input[1], pool, padding, stride, 1), last], params: 0 };
    }
    case "maxPooling2d":
    case "maxPool2d":
    case "averagePooling2d":
    case "avgPool2d":
    case "avgPooling2d": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const pool = tuple(config.poolSize, 2, 2);
      const strides = config.strides === void 0 || config.strides === null ? pool : tuple(config.strides, 2, 1);
      const padding = typeof config.padding === "string" ? config.padding : "valid";
      const channelsFirst = config.dataFormat === "channelsFirst";
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, pool[i], padding, strides[i], 1));
      if (out.some((d) => d !== null && d <= 0)) throw new ShapeError(`pool ${pool.join("x")} does not fit the input ${dims.join("x")}`);
      return { shape: channelsFirst ? [input[0], input[1], ...out] : [input[0], ...out, last], params: 0 };
    }
    case "globalAveragePooling1d":
    case "globalMaxPooling1d":
    case "globalMaxPool1d":
      if (rank !== 3) throw new ShapeError(`expects a 3D input, got ${rank}D`);
      return { shape: [input[0], last], params: 0 };
    case "globalAveragePooling2d":
    case "globalMaxPooling2d":
    case "globalMaxPool2d": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      return { shape: [input[0], config.dataFormat === "channelsFirst" ? input[1] : last], params: 0 };
    }
    case "flatten": {
      const size = product(input.slice(1));
      if (size === null) throw new ShapeError(`needs a fully known input shape, got ${fmt(input)} (tfjs rejects it too)`);
      return { shape: [input[0], size], params: 0 };
    }
    case "reshape": {
      const target = config.targetShape;
      if (!Array.isArray(target) || !target.every((d) => typeof d === "number" || d === null)) throw new ShapeError("needs a constant `targetShape`");
      const dims = target.map((d) => d === -1 ? null : d);
      if (dims.filter((d) => d === null).length > 1) throw new ShapeError("`targetShape` can have one -1 at most");
      const total = product(input.slice(1));
      const fixed = product(dims.filter((d) => d !== null));
      if (dims.includes(null)) {
        if (total !== null && fixed !== null && total % fixed !== 0) throw new ShapeError(`cannot reshape ${total} values into ${JSON.stringify(target)}`);
        return { shape: [input[0], ...dims], params: 0 };
      }
      if (total !== null && total !== fixed) throw new ShapeError(`cannot reshape ${total} values into ${JSON.stringify(target)}`);
      return { shape: [input[0], ...dims], params: 0 };
    }
    case "permute": {
      const dims = config.dims;
      if (!Array.isArray(dims) || dims.length !== rank - 1) throw new ShapeError("needs `dims` with one entry per non-batch dimension");
      return { shape: [input[0], ...dims.map((d) => input[num(d, 0)] ?? null)], params: 0 };
    }
    case "repeatVector":
      return { shape: [input[0], known(config.n, "`n`"), last], params: 0 };
    case "simpleRNN":
    case "lstm":
    case "gru": {
      if (rank !== 3) throw new ShapeError(`expects a 3D input [batch, timeSteps, features], got ${rank}D`);
      const units = known(config.units, "`units`");
      const features = known(last, "number of input features");
      const shape = config.returnSequences === true ? [input[0], input[1], units] : [input[0], units];
      return { shape, params: rnnParams(type, features, units, useBias) };
    }
    case "embedding": {
      const inputDim = known(config.inputDim, "`inputDim`");
      const outputDim = known(config.outputDim, "`outputDim`");
      return { shape: [...input, outputDim], params: inputDim * outputDim };
    }
    case "batchNormalization": {
      const axis = num(config.axis, -1);
      const c = known(input[axis < 0 ? rank + axis : axis], "size of the normalized axis");
      const center = config.center !== false;
      const scale = config.scale !== false;
      return { shape: [...input], params: c * (2 + (center ? 1 : 0) + (scale ? 1 : 0)) };
    }
    case "layerNormalization": {
      const c = known(last, "last input dimension");
      return { shape: [...input], params: c * ((config.center !== false ? 1 : 0) + (config.scale !== false ? 1 : 0)) };
    }
    case "prelu": {
      const shared = new Set(Array.isArray(config.sharedAxes) ? config.sharedAxes : typeof config.sharedAxes === "number" ? [config.sharedAxes] : []);
      const dims = input.slice(1).map((d, i) => shared.has(i + 1) ? 1 : d);
      return { shape: [...input], params: known(product(dims), "input shape") };
    }
    case "zeroPadding2d": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const p = config.padding;
      const pads = typeof p === "number" ? [[p, p], [p, p]] : Array.isArray(p) && typeof p[0] === "number" ? [[p[0], p[0]], [num(p[1], 0), num(p[1], 0)]] : Array.isArray(p) && Array.isArray(p[0]) && Array.isArray(p[1]) ? [[num(p[0][0], 0), num(p[0][1], 0)], [num(p[1][0], 0), num(p[1][1], 0)]] : [[1, 1], [1, 1]];
      const add = (d, [a, b]) => d === null ? null : d + a + b;
      return config.dataFormat === "channelsFirst" ? { shape: [input[0], input[1], add(input[2], pads[0]), add(input[3], pads[1])], params: 0 } : { shape: [input[0], add(input[1], pads[0]), add(input[2], pads[1]), last], params: 0 };
    }
    case "cropping2D": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const c = config.cropping;
      const crops = typeof c === "number" ? [[c, c], [c, c]] : Array.isArray(c) && typeof c[0] === "number" ? [[c[0], c[0]], [num(c[1], 0), num(c[1], 0)]] : Array.isArray(c) && Array.isArray(c[0]) && Array.isArray(c[1]) ? [[num(c[0][0], 0), num(c[0][1], 0)], [num(c[1][0], 0), num(c[1][1], 0)]] : [[0, 0], [0, 0]];
      const cut = (d, [a, b]) => d === null ? null : d - a - b;
      return config.dataFormat === "channelsFirst" ? { shape: [input[0], input[1], cut(input[2], crops[0]), cut(input[3], crops[1])], params: 0 } : { shape: [input[0], cut(input[1], crops[0]), cut(input[2], crops[1]), last], params: 0 };
    }
    case "upSampling2d": {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const size = tuple(config.size, 2, 2);
      const up = (d, s) => d === null ? null : d * s;
      return config.dataFormat === "channelsFirst" ? { shape: [input[0], input[1], up(input[2], size[0]), up(input[3], size[1])], params: 0 } : { shape: [input[0], up(input[1], size[0]), up(input[2], size[1]), last], params: 0 };
    }
    case "add":
    case "multiply":
    case "average":
    case "maximum":
    case "minimum": {
      if (inputs.length < 2) throw new ShapeError("merges at least two tensors");
      const shape = [...input];
      for (const other of inputs.slice(1)) {
        if (other.length !== shape.length) throw new ShapeError(`cannot merge shapes ${fmt(input)} and ${fmt(other)}`);
        other.forEach((d, i) => {
          if (i === 0) return;
          const mine = shape[i] ?? null;
          if (mine !== null && d !== null && mine !== d && mine !== 1 && d !== 1) throw new ShapeError(`cannot merge shapes ${fmt(input)} and ${fmt(other)}`);
          if (mine === null || mine === 1) shape[i] = d;
        });
      }
      return { shape, params: 0 };
    }
    case "concatenate": {
      if (inputs.length < 2) throw new ShapeError("concatenates at least two tensors");
      const axis = num(config.axis, -1);
      const a = axis < 0 ? rank + axis : axis;
      const shape = [...input];
      for (const other of inputs.slice(1)) {
        if (other.length !== rank) throw new ShapeError(`cannot concatenate shapes ${fmt(input)} and ${fmt(other)}`);
        other.forEach((d, i) => {
          if (i === a || i === 0) return;
          if (shape[i] !== null && d !== null && shape[i] !== d) throw new ShapeError(`cannot concatenate shapes ${fmt(input)} and ${fmt(other)} along axis ${axis}`);
        });
        shape[a] = shape[a] === null || other[a] === null ? null : shape[a] + other[a];
      }
      return { shape, params: 0 };
    }
    case "bidirectional": {
      const inner = wrappedLayer(config);
      const forward = inferLayer(inner.type, inner.config, inputs);
      const mode = typeof config.mergeMode === "string" ? config.mergeMode : "concat";
      const shape = [...forward.shape];
      if (mode === "concat") shape[shape.length - 1] = known(shape[shape.length - 1], "output size") * 2;
      return { shape, params: forward.params * 2 };
    }
    case "timeDistributed": {
      if (rank < 3) throw new ShapeError(`expects at least a 3D input, got ${rank}D`);
      const inner = wrappedLayer(config);
      const step = inferLayer(inner.type, inner.config, [[input[0], ...input.slice(2)]]);
      return { shape: [step.shape[0], input[1], ...step.shape.slice(1)], params: step.params };
    }
    case "centerCrop":
    case "resizing":
      return { shape: [input[0], known(config.height, "`height`"), known(config.width, "`width`"), last], params: 0 };
  }
  throw new ShapeError(`the shape rules of \`${type}\` are not known`);
}
function wrappedLayer(config) {
  const layer = config.layer;
  if (!isCallValue(layer) || !layer.$call.startsWith("layers.")) throw new ShapeError("needs a `layer` the parser could read");
  const inner = layer.args[0];
  return { type: layer.$call.slice("layers.".length), config: isConfigObject(inner) ? inner : {} };
}
function fmt(shape) {
  return `[${shape.map((d) => d === null ? "null" : d).join(",")}]`;
}
function declaredInput(layer) {
  const c = layer.config;
  const dims = (v) => Array.isArray(v) && v.every((d) => typeof d === "number" || d === null) ? v : void 0;
  const batch = dims(c.batchInputShape) ?? dims(c.batchShape);
  if (batch) return [...batch];
  const shape = dims(c.inputShape) ?? (layer.type === "inputLayer" ? dims(c.shape) : void 0);
  if (shape) return [null, ...shape];
  if (typeof c.inputDim === "number" && layer.type !== "embedding") return [null, c.inputDim];
  if (layer.type === "embedding" && (typeof c.inputLength === "number" || typeof c.inputDim === "number")) {
    return [null, typeof c.inputLength === "number" ? c.inputLength : null];
  }
  return void 0;
}
function outputShapeOf(layer, index) {
  if (!layer?.outputShape || index === 0) return layer?.outputShape;
  const units = layer.config.units;
  return typeof units === "number" ? [layer.outputShape[0] ?? null, units] : void 0;
}
function inferShapes(graph) {
  const problems = [];
  const byId = new Map(graph.layers.map((l) => [l.id, l]));
  for (const layer of graph.layers) {
    delete layer.outputShape;
    delete layer.params;
    let inputs;
    if (layer.inbound.length === 0) {
      const declared = declaredInput(layer);
      if (!declared) {
        problems.push({ layerId: layer.id, message: `\`${layer.id}\` declares no input shape (\`inputShape\`), so shapes and parameter counts are unknown.` });
        continue;
      }
      inputs = [declared];
    } else {
      const shapes = layer.inbound.map((id, i) => outputShapeOf(byId.get(id), layer.inboundOutputs?.[i] ?? 0));
      if (shapes.some((s) => !s)) continue;
      inputs = shapes.map((s) => [...s]);
    }
    if (layer.custom) {
      const input = inputs[0];
      if (layer.custom.output === "same") layer.outputShape = input;
      else if (layer.custom.output === "last") layer.outputShape = [input[0] ?? null, layer.custom.lastDim ?? null];
      else problems.push({ layerId: layer.id, message: `\`${layer.id}\`: the output shape of the custom layer \`${layer.type}\` is not known.` });
      continue;
    }
    if (!layer.known) {
      problems.push({ layerId: layer.id, message: `\`${layer.id}\`: the shape of the unknown layer type \`${layer.type}\` cannot be inferred.` });
      continue;
    }
    try {
      const result = inferLayer(layer.type, layer.config, inputs);
      layer.outputShape = result.shape;
      layer.params = result.params;
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      problems.push({ layerId: layer.id, message: `\`${layer.id}\` (${layer.type}) ${error.message}.` });
    }
  }
  if (graph.layers.every((l) => l.params !== void 0)) graph.params = graph.layers.reduce((sum, l) => sum + l.params, 0);
  else delete graph.params;
  return problems;
}

// src/core/graph.ts
function nodesReaching(outputs) {
  const seen = /* @__PURE__ */ new Set();
  const stack = [...outputs];
  while (stack.length) {
    const node = stack.pop();
    if (seen.has(node)) continue;
    seen.add(node);
    stack.push(...node.inbound);
  }
  return [...seen].sort((a, b) => a.order - b.order);
}
function shapeOf(value) {
  if (!Array.isArray(value)) return void 0;
  return value.every((d) => typeof d === "number" || d === null) ? value : void 0;
}
function declaredInputShape(layer) {
  const c = layer.config;
  if (layer.type === "inputLayer") {
    return shapeOf(c.shape) ?? shapeOf(c.inputShape) ?? shapeOf(c.batchShape)?.slice(1) ?? shapeOf(c.batchInputShape)?.slice(1);
  }
  const direct = shapeOf(c.inputShape) ?? shapeOf(c.batchInputShape)?.slice(1);
  if (direct) return direct;
  if (typeof c.inputDim === "number") {
    if (layer.type === "embedding") return [typeof c.inputLength === "number" ? c.inputLength : null];
    return [c.inputDim];
  }
  return void 0;
}
function containsUnknown(value) {
  if (isUnknownValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  return false;
}
function finishGraph(graph, report) {
  if (graph.layers.length === 0) {
    report(`Model \`${graph.name}\` has no layers the parser could find.`, graph.range, "info");
    return false;
  }
  for (const problem of inferShapes(graph)) {
    const layer = graph.layers.find((l) => l.id === problem.layerId);
    if (Object.values(layer.config).some(containsUnknown)) continue;
    report(problem.message, layer.range, "warning");
  }
  return true;
}
function layerIds() {
  const counters = /* @__PURE__ */ new Map();
  const used = /* @__PURE__ */ new Set();
  return (type, configName) => {
    let id;
    if (typeof configName === "string" && !used.has(configName)) {
      id = configName;
    } else {
      const stem = layerNameStem(type);
      do {
        const n = (counters.get(stem) ?? 0) + 1;
        counters.set(stem, n);
        id = `${stem}_${n}`;
      } while (used.has(id));
    }
    used.add(id);
    return id;
  };
}

// src/core/holes.ts
var RECURRENT = /* @__PURE__ */ new Set(["simpleRNN", "lstm", "gru", "rnn", "conv1d", "convLstm2d", "bidirectional", "timeDistributed"]);
var IMAGE = /* @__PURE__ */ new Set(["conv2d", "conv2dTranspose", "separableConv2d", "depthwiseConv2d", "maxPooling2d", "averagePooling2d"]);
function holeRole(layerType, key, index, length) {
  if (key === "inputShape" || key === "batchInputShape" || key === "shape" || key === "batchShape") {
    if (index === void 0) return "input shape";
    const offset = key.startsWith("batch") ? 1 : 0;
    const last = (length ?? 0) - 1;
    if (index === last) return "input dim";
    if (RECURRENT.has(layerType) && index - offset === 0) return "time steps";
    return "input shape";
  }
  if (key === "inputDim") return "input dim";
  if (key === "inputLength") return "time steps";
  if (key === "units") return "units";
  if (key === "filters") return "filters";
  if (key === "kernelSize") return "kernel size";
  if (key === "rate") return "rate";
  if (key === "activation") return "activation";
  if (/Initializer$/.test(key)) return "initializer";
  if (key === "optimizer") return "optimizer";
  if (key === "loss") return "loss";
  return "value";
}
function holeSuggestion(role, layerType, language = "ts") {
  const text = tsSuggestion(role, layerType);
  if (language === "ts") return text;
  if (text.startsWith("[") && role === "input shape") return `(${text.slice(1, -1)}${text.includes(",") ? "" : ","})`;
  if (role === "initializer") return "'glorot_uniform'";
  if (role === "loss") return "'mse'";
  if (role === "condition") return "True";
  return text;
}
function tsSuggestion(role, layerType) {
  switch (role) {
    case "input shape":
      if (IMAGE.has(layerType)) return "[28, 28, 1]";
      if (RECURRENT.has(layerType) || layerType === "embedding") return "[20, 8]";
      return "[10]";
    case "input dim":
      return "10";
    case "time steps":
      return "20";
    case "units":
      return "32";
    case "filters":
      return "16";
    case "kernel size":
      return "3";
    case "rate":
      return "0.2";
    case "activation":
      return "'relu'";
    case "initializer":
      return "'glorotUniform'";
    case "optimizer":
      return "'adam'";
    case "loss":
      return "'meanSquaredError'";
    case "value":
      return "1";
    case "repeat count":
      return "3";
    case "condition":
      return "true";
    case "layer sizes":
      return "[64, 32]";
  }
}
function mergeHoles(holes) {
  const byName = /* @__PURE__ */ new Map();
  for (const hole of holes) {
    const seen = byName.get(hole.name);
    if (!seen) byName.set(hole.name, hole);
    else byName.set(hole.name, { ...seen, usedBy: [.../* @__PURE__ */ new Set([...seen.usedBy, ...hole.usedBy])] });
  }
  return [...byName.values()];
}
function annotationSite(text, statementStart, commentPrefix) {
  const lineStart = text.lastIndexOf("\n", statementStart - 1) + 1;
  const before = text.slice(lineStart, statementStart);
  const indent = /^\s*$/.test(before) ? before : /^\s*/.exec(before)?.[0] ?? "";
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end);
    const trimmed = line.trim();
    const isComment = commentPrefix === "#" ? trimmed.startsWith("#") : /^(\/\/|\/\*|\*)/.test(trimmed);
    if (!isComment) break;
    if (/^\s*(\/\/+|\/\*+|\*|#+)\s*gradient-lens:/.test(line)) {
      const at = start + line.indexOf(trimmed);
      return { lineStart, indent, existing: { start: at, end: at + trimmed.length } };
    }
    end = start - 1;
  }
  return { lineStart, indent };
}

// src/core/fixes/clipGradients.ts
var CLIP_HELPER_NAME = "withGradientClipping";

// src/core/parse/values.ts
var Unknown = class {
  constructor(text, reason, hole, foreign) {
    this.text = text;
    this.reason = reason;
    this.hole = hole;
    this.foreign = foreign;
  }
  text;
  reason;
  hole;
  foreign;
};
var Namespace = class _Namespace {
  constructor(path) {
    this.path = path;
  }
  path;
  child(name) {
    return new _Namespace([...this.path, name]);
  }
};
var ObjectValue = class {
  constructor(literal) {
    this.literal = literal;
  }
  literal;
  props = /* @__PURE__ */ new Map();
  ranges = /* @__PURE__ */ new Map();
};
var FactoryCall = class {
  constructor(callee, args) {
    this.callee = callee;
    this.args = args;
  }
  callee;
  args;
};
var LayerValue = class _LayerValue {
  constructor(type, known2, config, range, iteration, custom, partOf) {
    this.type = type;
    this.known = known2;
    this.config = config;
    this.range = range;
    this.iteration = iteration;
    this.custom = custom;
    this.partOf = partOf;
  }
  type;
  known;
  config;
  range;
  iteration;
  custom;
  partOf;
  /** The same layer as part of `model`, used as a layer inside another model. */
  inlined(model) {
    return new _LayerValue(this.type, this.known, this.config, this.range, this.iteration, this.custom, this.partOf ?? model);
  }
};
var CustomLayerClass = class {
  constructor(info) {
    this.info = info;
  }
  info;
};
var TensorValue = class {
  constructor(node, index = 0) {
    this.node = node;
    this.index = index;
  }
  node;
  index;
};
var SequentialModel = class {
  constructor(range) {
    this.range = range;
  }
  range;
  layers = [];
  compile;
  name;
  nameDepth = Number.POSITIVE_INFINITY;
  template;
  annotationHolder;
  builder;
};
var FunctionalModel = class {
  constructor(range, inputs, outputs) {
    this.range = range;
    this.inputs = inputs;
    this.outputs = outputs;
  }
  range;
  inputs;
  outputs;
  compile;
  name;
  nameDepth = Number.POSITIVE_INFINITY;
  template;
  annotationHolder;
  builder;
};
var FunctionValue = class {
  constructor(declaration, scope, name, thisValue) {
    this.declaration = declaration;
    this.scope = scope;
    this.name = name;
    this.thisValue = thisValue;
  }
  declaration;
  scope;
  name;
  thisValue;
};
var NativeFunction = class {
  constructor(name, call) {
    this.name = name;
    this.call = call;
  }
  name;
  call;
};
var Scope = class {
  constructor(parent) {
    this.parent = parent;
  }
  parent;
  bindings = /* @__PURE__ */ new Map();
  declare(name, value) {
    this.bindings.set(name, { value });
  }
  lookup(name) {
    for (let scope = this; scope; scope = scope.parent) {
      const binding = scope.bindings.get(name);
      if (binding) return binding;
    }
    return void 0;
  }
  /** Assigns to an existing binding; returns false when the name is not declared. */
  assign(name, value) {
    const binding = this.lookup(name);
    if (!binding) return false;
    binding.value = value;
    return true;
  }
};
function isModel(value) {
  return value instanceof SequentialModel || value instanceof FunctionalModel;
}
function functionalNodes(model) {
  return nodesReaching(model.outputs.map((tensor) => tensor.node));
}
function fromConfigValue(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(fromConfigValue);
  if (isCallValue(value)) return new FactoryCall(value.$call, value.args.map(fromConfigValue));
  if (isUnknownValue(value)) return new Unknown(value.$unknown, value.reason);
  const object = new ObjectValue();
  for (const [key, item] of Object.entries(value)) object.props.set(key, fromConfigValue(item));
  return object;
}

// src/core/parse/interpreter.ts
var MAX_LOOP_ITERATIONS = 1e4;
var MAX_IDLE_LOOP_ITERATIONS = 1e3;
var MAX_STEPS = 2e6;
var MAX_CALL_DEPTH = 64;
var BudgetExceeded = class extends Error {
};
var ANNOTATION = /^[ \t]*(?:\/\/+|\/\*+|\*)[ \t]*gradient-lens:[ \t]*([^\n]*?)[ \t]*(\*\/)?$/m;
var Interpreter = class {
  constructor(ts, file, modules, presets = {}) {
    this.ts = ts;
    this.file = file;
    this.modules = modules;
    this.presets = presets;
    this.installGlobals();
  }
  ts;
  file;
  modules;
  presets;
  problems = [];
  problemKeys = /* @__PURE__ */ new Set();
  models = [];
  steps = 0;
  callDepth = 0;
  nodeOrder = 0;
  /** Loop counters of the loops (and `.map` callbacks) currently running, outermost first. */
  iterations = [];
  calledFunctions = /* @__PURE__ */ new Set();
  templateName;
  /** The function a template run started from (`buildModel` for the run labelled `buildModel[cnn]`). */
  builderName;
  /** Values given from outside for one builder function's runs only (remembered per model). */
  presetsFor = {};
  templateHolder;
  appliedLayers = /* @__PURE__ */ new WeakSet();
  /** Functions called during the template run in progress. */
  callsOfRun;
  /** Counts layers, inputs and models built so far; control-flow problems matter only where it moves. */
  modelWork = 0;
  globals = new Scope();
  /** Values for template parameters, by name, while a template runs (annotations, `--set`). */
  templateValues;
  /** File-wide fills by name (`--set`, top-level annotations); `value` once evaluated. */
  /** Told of every call of a function another file exports (call sites of its builders). */
  onForeignCall;
  /** Calls of this file's builder functions found in other files: argument lists by function name. */
  callSites = {};
  /** Control-flow holes met so far; toGraph attaches them to the models they shaped. */
  flowHoles = [];
  fileFills = /* @__PURE__ */ new Map();
  moduleScope;
  /**
   * Runs an imported file's top level and returns what it exports (ES `export`s and CommonJS
   * `module.exports` / `exports.x`). Only data is exported: see `shareable`.
   */
  runModule() {
    const scope = new Scope(this.globals);
    const exports2 = new ObjectValue();
    const module2 = new ObjectValue();
    module2.props.set("exports", exports2);
    scope.declare("module", module2);
    scope.declare("exports", exports2);
    const ts = this.ts;
    try {
      this.bindImports(this.file.statements, scope);
      this.execBlock(this.file.statements, scope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
    }
    const result = new ObjectValue();
    const cjs = module2.props.get("exports");
    if (cjs instanceof ObjectValue) for (const [k, v] of cjs.props) result.props.set(k, shareable(v, k, this.file.fileName));
    const exported = (node) => ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
    for (const statement of this.file.statements) {
      if (ts.isVariableStatement(statement) && exported(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          for (const name of this.boundNames(declaration.name)) result.props.set(name, shareable(scope.lookup(name)?.value, name, this.file.fileName));
        }
      } else if ((ts.isEnumDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name && exported(statement)) {
        result.props.set(statement.name.text, shareable(scope.lookup(statement.name.text)?.value, statement.name.text, this.file.fileName));
      } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
        const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : void 0;
        const source = from !== void 0 ? this.importModule(from) : void 0;
        if (!statement.exportClause) {
          if (source instanceof ObjectValue) {
            for (const [k, v] of source.props) if (!result.props.has(k)) result.props.set(k, v);
          }
        } else if (ts.isNamedExports(statement.exportClause)) {
          for (const element of statement.exportClause.elements) {
            const local = (element.propertyName ?? element.name).text;
            const value = source === void 0 ? scope.lookup(local)?.value : source instanceof ObjectValue ? source.props.get(local) : source;
            result.props.set(element.name.text, shareable(value, element.name.text, this.file.fileName));
          }
        }
      } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
        result.props.set("default", shareable(this.eval(statement.expression, scope), "default", this.file.fileName));
      }
    }
    return result;
  }
  boundNames(name) {
    const ts = this.ts;
    if (ts.isIdentifier(name)) return [name.text];
    return name.elements.flatMap((e) => ts.isOmittedExpression(e) ? [] : this.boundNames(e.name));
  }
  /** The exports of a relative import, or an Unknown saying why not (not read, missing, cycle). */
  importModule(specifier) {
    if (!this.modules || !this.modules.isRelative(specifier)) return new Unknown(specifier, `imported from '${specifier}', which is not read`);
    return this.modules.load(specifier);
  }
  run() {
    const scope = new Scope(this.globals);
    this.moduleScope = scope;
    try {
      this.collectFileFills();
      this.bindImports(this.file.statements, scope);
      this.execBlock(this.file.statements, scope);
      this.runTemplates(scope);
    } catch (error) {
      if (!(error instanceof BudgetExceeded)) throw error;
      this.problem(
        `Stopped reading this file after ${MAX_STEPS.toLocaleString("en-US")} evaluation steps; models after this point may be missing.`,
        this.file,
        "warning"
      );
    }
    return { models: this.models, problems: this.problems };
  }
  // ---------------------------------------------------------------- problems and ranges
  rangeOf(node) {
    return { start: node.getStart(this.file), end: node.getEnd() };
  }
  text(node) {
    const text = node.getText(this.file).replace(/\s+/g, " ");
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  problem(message, at, severity = "warning") {
    const range = "kind" in at ? this.rangeOf(at) : at;
    const key = `${range.start}:${range.end}:${message}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ message, range, severity });
  }
  /** A problem about control flow, reported only if the construct built model parts (else it is noise). */
  flowProblem(workBefore, message, at, value, role) {
    if (this.modelWork === workBefore) return;
    this.problem(message, at, "warning");
    if (!(value instanceof Unknown) || !value.hole || !role) return;
    const models = this.templateName ? this.models.filter((m) => m.template === this.templateName) : this.models.slice(-1);
    this.flowHoles.push({ ...value.hole, role, models });
  }
  tick() {
    if (++this.steps > MAX_STEPS) throw new BudgetExceeded();
  }
  // ---------------------------------------------------------------- imports and globals
  installGlobals() {
    const math = new ObjectValue();
    const numeric = (name, fn) => {
      math.props.set(
        name,
        new NativeFunction(
          `Math.${name}`,
          (args) => args.every((a) => typeof a === "number") ? fn(...args) : new Unknown(`Math.${name}(...)`, "arguments are not constants")
        )
      );
    };
    for (const name of ["max", "min", "floor", "ceil", "round", "pow", "sqrt", "abs", "log", "log2", "log10", "exp", "trunc", "sign"]) {
      numeric(name, Math[name]);
    }
    math.props.set("PI", Math.PI);
    math.props.set("E", Math.E);
    this.globals.declare("Math", math);
    this.globals.declare("undefined", void 0);
    this.globals.declare("NaN", NaN);
    this.globals.declare("Infinity", Infinity);
    const array = new ObjectValue();
    array.props.set("from", new NativeFunction("Array.from", (args, site) => this.arrayFrom(args, site)));
    array.props.set("isArray", new NativeFunction("Array.isArray", (args) => Array.isArray(args[0])));
    const makeArray = new NativeFunction(
      "Array",
      (args) => args.length === 1 && typeof args[0] === "number" ? this.newArray(args[0]) : [...args]
    );
    this.globals.declare("Array", array);
    this.globals.declare("%ArrayConstructor", makeArray);
    const object = new ObjectValue();
    object.props.set("assign", new NativeFunction("Object.assign", (args) => {
      const [target, ...sources] = args;
      if (!(target instanceof ObjectValue)) return new Unknown("Object.assign(...)", "target is not an object literal");
      for (const source of sources) if (source instanceof ObjectValue) copyProps(source, target);
      return target;
    }));
    object.props.set("keys", new NativeFunction("Object.keys", (args) => args[0] instanceof ObjectValue ? [...args[0].props.keys()] : new Unknown("Object.keys(...)", "not an object literal")));
    object.props.set("values", new NativeFunction("Object.values", (args) => args[0] instanceof ObjectValue ? [...args[0].props.values()] : new Unknown("Object.values(...)", "not an object literal")));
    object.props.set("entries", new NativeFunction("Object.entries", (args) => args[0] instanceof ObjectValue ? [...args[0].props].map(([k, v]) => [k, v]) : new Unknown("Object.entries(...)", "not an object literal")));
    object.props.set("freeze", new NativeFunction("Object.freeze", (args) => args[0]));
    this.globals.declare("Object", object);
    const number = new ObjectValue();
    const numberTest = (name, test) => {
      number.props.set(name, new NativeFunction(`Number.${name}`, (args) => args[0] instanceof Unknown ? new Unknown(`Number.${name}(...)`, args[0].reason, args[0].hole) : typeof args[0] === "number" && test(args[0])));
    };
    numberTest("isInteger", Number.isInteger);
    numberTest("isFinite", Number.isFinite);
    numberTest("isNaN", Number.isNaN);
    this.globals.declare("Number", number);
    this.globals.declare("%NumberConstructor", new NativeFunction("Number", (args) => toNumber(args[0])));
    this.globals.declare("parseInt", new NativeFunction("parseInt", (args) => typeof args[0] === "string" || typeof args[0] === "number" ? parseInt(String(args[0]), typeof args[1] === "number" ? args[1] : 10) : new Unknown("parseInt(...)", "argument is not a constant")));
    this.globals.declare("parseFloat", new NativeFunction("parseFloat", (args) => typeof args[0] === "string" || typeof args[0] === "number" ? parseFloat(String(args[0])) : new Unknown("parseFloat(...)", "argument is not a constant")));
    this.globals.declare("String", new NativeFunction("String", (args) => isPrimitive(args[0]) ? String(args[0]) : new Unknown("String(...)", "argument is not a constant")));
    this.globals.declare("Boolean", new NativeFunction("Boolean", (args) => truthy(args[0]) ?? new Unknown("Boolean(...)", "argument is not a constant")));
  }
  isTfjsModule(node) {
    return !!node && this.ts.isStringLiteralLike(node) && TFJS_MODULES.has(node.text);
  }
  /** Imports are hoisted: bind every tfjs import before running the file. */
  bindImports(statements, scope) {
    const ts = this.ts;
    let tfBound = false;
    for (const statement of statements) {
      if (!ts.isImportDeclaration(statement) || !statement.importClause) continue;
      const clause = statement.importClause;
      const fromTfjs = this.isTfjsModule(statement.moduleSpecifier);
      const source = ts.isStringLiteralLike(statement.moduleSpecifier) ? statement.moduleSpecifier.text : "?";
      if (clause.isTypeOnly) continue;
      const module2 = fromTfjs ? void 0 : this.importModule(source);
      if (module2 instanceof Unknown && this.modules?.isRelative(source)) {
        this.problem(`Values imported from '${source}' are unknown: ${module2.reason}.`, statement.moduleSpecifier, "info");
      }
      const member = (name, local) => {
        if (module2 instanceof ObjectValue) {
          return module2.props.has(name) ? module2.props.get(name) : new Unknown(local, `'${source}' exports no constant \`${name}\``);
        }
        return new Unknown(local, module2?.reason ?? `imported from '${source}', which is not read`);
      };
      if (clause.name) {
        scope.declare(clause.name.text, fromTfjs ? new Namespace([]) : member("default", clause.name.text));
        tfBound ||= fromTfjs;
      }
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        scope.declare(bindings.name.text, fromTfjs ? new Namespace([]) : module2 ?? new Unknown(bindings.name.text, "not read"));
        tfBound ||= fromTfjs;
      } else if (bindings) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          scope.declare(element.name.text, fromTfjs ? new Namespace([name]) : member(name, element.name.text));
          tfBound ||= fromTfjs;
        }
      }
    }
    if (!tfBound) this.globals.declare("tf", new Namespace([]));
  }
  // ---------------------------------------------------------------- statements
  hoistFunctions(statements, scope) {
    for (const statement of statements) {
      if (this.ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        scope.declare(statement.name.text, new FunctionValue(statement, scope, statement.name.text));
      }
    }
  }
  execBlock(statements, scope) {
    this.hoistFunctions(statements, scope);
    for (const statement of statements) {
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return void 0;
  }
  exec(node, scope) {
    const ts = this.ts;
    this.tick();
    if (ts.isVariableStatement(node)) {
      const ambient = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
      for (const declaration of node.declarationList.declarations) {
        const value = declaration.initializer ? this.eval(declaration.initializer, scope) : ambient ? new Unknown(this.text(declaration.name), `\`${this.text(declaration.name)}\` is declared but has no value in this file`) : void 0;
        this.bindPattern(declaration.name, value, scope);
      }
      return void 0;
    }
    if (ts.isExpressionStatement(node)) {
      this.eval(node.expression, scope);
      return void 0;
    }
    if (ts.isReturnStatement(node)) {
      return { kind: "return", value: node.expression ? this.eval(node.expression, scope) : void 0 };
    }
    if (ts.isBlock(node)) return this.execBlock(node.statements, new Scope(scope));
    if (ts.isIfStatement(node)) {
      const value = this.eval(node.expression, scope);
      const condition = truthy(value);
      if (condition === void 0) {
        if (this.alwaysThrows(node.thenStatement)) return node.elseStatement ? this.exec(node.elseStatement, scope) : void 0;
        const work = this.modelWork;
        const completion = this.exec(node.thenStatement, scope);
        this.flowProblem(work, `Condition \`${this.text(node.expression)}\` is not a constant; read the first branch only.`, node.expression, value, "condition");
        return completion;
      }
      if (condition) return this.exec(node.thenStatement, scope);
      return node.elseStatement ? this.exec(node.elseStatement, scope) : void 0;
    }
    if (ts.isForStatement(node)) return this.execFor(node, scope);
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return this.execForOf(node, scope);
    if (ts.isWhileStatement(node) || ts.isDoStatement(node)) return this.execWhile(node, scope);
    if (ts.isFunctionDeclaration(node) || ts.isEmptyStatement(node) || ts.isImportDeclaration(node)) return void 0;
    if (ts.isBreakStatement(node)) return { kind: "break", label: node.label?.text };
    if (ts.isContinueStatement(node)) return { kind: "continue", label: node.label?.text };
    if (ts.isLabeledStatement(node)) {
      const completion = this.exec(node.statement, scope);
      if (completion && completion.kind === "break" && completion.label === node.label.text) return void 0;
      return completion;
    }
    if (ts.isSwitchStatement(node)) return this.execSwitch(node, scope);
    if (ts.isTryStatement(node)) {
      const completion = this.exec(node.tryBlock, scope);
      if (completion) return completion;
      return node.finallyBlock ? this.exec(node.finallyBlock, scope) : void 0;
    }
    if (ts.isThrowStatement(node)) return { kind: "return", value: void 0 };
    if (ts.isExportAssignment(node)) {
      const value = this.eval(node.expression, scope);
      this.nameModel(value, "default");
      return void 0;
    }
    if (ts.isEnumDeclaration(node)) {
      scope.declare(node.name.text, this.evalEnum(node, scope));
      return void 0;
    }
    if (ts.isClassDeclaration(node)) {
      if (node.name) scope.declare(node.name.text, this.customLayerClass(node, scope) ?? new Unknown(node.name.text, "classes are not evaluated"));
      return void 0;
    }
    return void 0;
  }
  /**
   * `class Scale extends tf.layers.Layer {...}`: an opaque layer type. Its output shape is read
   * from a simple `computeOutputShape` (`return inputShape;`, `return [inputShape[0], 7];`);
   * without one it is the input's, as in tfjs' own Layer.
   */
  customLayerClass(node, scope) {
    const ts = this.ts;
    const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const baseValue = base && this.eval(base, scope);
    const isLayer = baseValue instanceof Namespace && baseValue.path.join(".") === "layers.Layer" || baseValue instanceof CustomLayerClass;
    if (!isLayer || !node.name) return void 0;
    const className = node.name.text;
    const method = node.members.find(
      (m) => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === "computeOutputShape" && !!m.body
    );
    if (!method) return new CustomLayerClass(baseValue instanceof CustomLayerClass ? { ...baseValue.info, className } : { className, output: "same" });
    const parameter = method.parameters[0]?.name;
    const returned = method.body.statements.find(ts.isReturnStatement)?.expression;
    const inner = returned && skipOuterExpressions(ts, returned);
    const isParameter = (e) => !!e && !!parameter && ts.isIdentifier(parameter) && ts.isIdentifier(e) && e.text === parameter.text;
    if (isParameter(inner)) return new CustomLayerClass({ className, output: "same" });
    if (inner && ts.isArrayLiteralExpression(inner) && inner.elements.length === 2) {
      const [batch, last] = inner.elements;
      const lastDim = last && this.eval(last, scope);
      if (batch && ts.isElementAccessExpression(batch) && isParameter(batch.expression) && typeof lastDim === "number") {
        return new CustomLayerClass({ className, output: "last", lastDim });
      }
    }
    return new CustomLayerClass({ className, output: "unknown" });
  }
  alwaysThrows(node) {
    const ts = this.ts;
    if (ts.isThrowStatement(node)) return true;
    if (ts.isBlock(node)) {
      const last = node.statements[node.statements.length - 1];
      return !!last && this.alwaysThrows(last);
    }
    return false;
  }
  evalEnum(node, scope) {
    const result = new ObjectValue(this.rangeOf(node));
    let next = 0;
    for (const member of node.members) {
      const name = this.propertyName(member.name, scope);
      if (name === void 0) continue;
      let value = next;
      if (member.initializer) value = this.eval(member.initializer, scope);
      result.props.set(name, value);
      next = typeof value === "number" ? value + 1 : NaN;
    }
    return result;
  }
  /** Runs one loop iteration's body; returns 'stop' on break/return, the completion to propagate. */
  loopBody(body, scope, label) {
    const completion = this.exec(body, scope);
    if (!completion) return { stop: false, completion: void 0 };
    if (completion.kind === "continue" && (!completion.label || completion.label === label)) return { stop: false, completion: void 0 };
    if (completion.kind === "break" && (!completion.label || completion.label === label)) return { stop: true, completion: void 0 };
    return { stop: true, completion };
  }
  labelOf(node) {
    return this.ts.isLabeledStatement(node.parent) ? node.parent.label.text : void 0;
  }
  execFor(node, outer) {
    const ts = this.ts;
    const scope = new Scope(outer);
    const label = this.labelOf(node);
    if (node.initializer) {
      if (ts.isVariableDeclarationList(node.initializer)) {
        for (const declaration of node.initializer.declarations) {
          this.bindPattern(declaration.name, declaration.initializer ? this.eval(declaration.initializer, scope) : void 0, scope);
        }
      } else {
        this.eval(node.initializer, scope);
      }
    }
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (node.condition) {
          const value = this.eval(node.condition, scope);
          const condition = truthy(value);
          if (condition === void 0) {
            if (i > 0) break;
            readOnce = true;
            unknownCondition = value;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
        if (node.incrementor) this.eval(node.incrementor, scope);
      }
    } finally {
      this.iterations.pop();
      if (readOnce && node.condition) {
        this.flowProblem(work, `Loop condition \`${this.text(node.condition)}\` is not a constant; the loop body was read once.`, node.condition, unknownCondition, "repeat count");
      }
    }
    return void 0;
  }
  /** Loops that build layers may run 10,000 times; loops that build nothing stop sooner (they only cost time). */
  loopLimitReached(iteration, workBefore) {
    return iteration >= MAX_LOOP_ITERATIONS || iteration >= MAX_IDLE_LOOP_ITERATIONS && this.modelWork === workBefore;
  }
  loopCapProblem(node, workBefore, iterations = MAX_LOOP_ITERATIONS) {
    const n = iterations.toLocaleString("en-US");
    this.problem(`Loop runs more than ${n} times; read only the first ${n} iterations.`, node, this.modelWork === workBefore ? "info" : "warning");
  }
  execForOf(node, outer) {
    const ts = this.ts;
    const label = this.labelOf(node);
    const iterable = this.eval(node.expression, outer);
    let items;
    if (ts.isForInStatement(node)) {
      items = iterable instanceof ObjectValue ? [...iterable.props.keys()] : Array.isArray(iterable) ? iterable.map((_, i) => String(i)) : [];
    } else {
      items = Array.isArray(iterable) ? [...iterable] : typeof iterable === "string" ? [...iterable] : [];
    }
    const readOnce = !Array.isArray(iterable) && !(iterable instanceof ObjectValue && ts.isForInStatement(node)) && typeof iterable !== "string";
    if (readOnce) {
      items = [new Unknown(this.text(node.initializer), `element of \`${this.text(node.expression)}\`, which is not a constant`)];
    }
    const work = this.modelWork;
    this.iterations.push(0);
    try {
      for (let i = 0; i < items.length; i++) {
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const scope = new Scope(outer);
        if (ts.isVariableDeclarationList(node.initializer)) {
          const declaration = node.initializer.declarations[0];
          if (declaration) this.bindPattern(declaration.name, items[i], scope);
        } else {
          this.assignTo(node.initializer, items[i], scope);
        }
        const { stop, completion } = this.loopBody(node.statement, scope, label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `\`${this.text(node.expression)}\` is not a constant list; the loop body was read once.`, node.expression, iterable, "layer sizes");
    }
    return void 0;
  }
  execWhile(node, scope) {
    const label = this.labelOf(node);
    const isDo = this.ts.isDoStatement(node);
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (!isDo || i > 0) {
          const value = this.eval(node.expression, scope);
          const condition = truthy(value);
          if (condition === void 0) {
            readOnce = true;
            unknownCondition = value;
            if (isDo || i > 0) break;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `Loop condition \`${this.text(node.expression)}\` is not a constant; the loop body was read once.`, node.expression, unknownCondition, "repeat count");
    }
    return void 0;
  }
  execSwitch(node, outer) {
    const ts = this.ts;
    const value = this.eval(node.expression, outer);
    const scope = new Scope(outer);
    const clauses = node.caseBlock.clauses;
    let start = -1;
    const work = this.modelWork;
    if (value instanceof Unknown) {
      start = 0;
    } else {
      start = clauses.findIndex((clause) => ts.isCaseClause(clause) && strictEquals(this.eval(clause.expression, scope), value) === true);
      if (start < 0) start = clauses.findIndex((clause) => ts.isDefaultClause(clause));
    }
    if (start < 0) return void 0;
    try {
      for (const clause of clauses.slice(start)) {
        this.hoistFunctions(clause.statements, scope);
        for (const statement of clause.statements) {
          const completion = this.exec(statement, scope);
          if (completion?.kind === "break" && !completion.label) return void 0;
          if (completion) return completion;
        }
      }
      return void 0;
    } finally {
      if (value instanceof Unknown) {
        this.flowProblem(work, `Switch on \`${this.text(node.expression)}\`, which is not a constant; read the first case only.`, node.expression, value, "condition");
      }
    }
  }
  // ---------------------------------------------------------------- bindings
  bindPattern(name, value, scope) {
    const ts = this.ts;
    if (ts.isIdentifier(name)) {
      scope.declare(name.text, value);
      this.nameModel(value, name.text);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used = /* @__PURE__ */ new Set();
      for (const element of name.elements) {
        if (element.dotDotDotToken) {
          const rest = new ObjectValue();
          if (value instanceof ObjectValue) {
            for (const [k, v] of value.props) if (!used.has(k)) rest.props.set(k, v);
          }
          this.bindPattern(element.name, rest, scope);
          continue;
        }
        const key = element.propertyName ? this.propertyName(element.propertyName, scope) : ts.isIdentifier(element.name) ? element.name.text : void 0;
        if (key === void 0) continue;
        used.add(key);
        let item = this.member(value, key, element);
        if ((item === void 0 || value instanceof Unknown) && element.initializer) item = this.eval(element.initializer, scope);
        else if (item instanceof Unknown && ts.isIdentifier(element.name)) {
          item = new Unknown(element.name.text, item.reason, { name: element.name.text, range: this.rangeOf(element.name) });
        }
        this.bindPattern(element.name, item, scope);
      }
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let item;
      if (element.dotDotDotToken) item = Array.isArray(value) ? value.slice(index) : new Unknown(this.text(element), "rest of a value that is not a constant list");
      else item = Array.isArray(value) ? value[index] : value instanceof Unknown ? new Unknown(this.text(element), value.reason, value.hole) : void 0;
      if (item === void 0 && element.initializer) item = this.eval(element.initializer, scope);
      this.bindPattern(element.name, item, scope);
    });
  }
  /** A model takes the name of the first binding it gets; a binding further out (a call site) wins. */
  nameModel(value, name) {
    if (!isModel(value)) return;
    if (this.callDepth < value.nameDepth) {
      value.name = name;
      value.nameDepth = this.callDepth;
    }
  }
  assignTo(target, value, scope) {
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, target);
    if (ts.isIdentifier(inner)) {
      if (!scope.assign(inner.text, value)) scope.declare(inner.text, value);
      this.nameModel(value, inner.text);
      return;
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      const object = this.eval(inner.expression, scope);
      const key = ts.isPropertyAccessExpression(inner) ? inner.name.text : toPropertyKey(this.eval(inner.argumentExpression, scope));
      if (key === void 0) return;
      if (object instanceof ObjectValue) {
        object.props.set(key, value);
        object.ranges.set(key, { property: this.rangeOf(inner.parent), value: this.rangeOf(target.parent) });
      } else if (Array.isArray(object) && /^\d+$/.test(key)) {
        object[Number(key)] = value;
      }
      this.nameModel(value, key);
      return;
    }
    if (ts.isArrayLiteralExpression(inner)) {
      inner.elements.forEach((element, index) => this.assignTo(element, Array.isArray(value) ? value[index] : void 0, scope));
    }
  }
  // ---------------------------------------------------------------- expressions
  /**
   * Evaluates `node`. An unknown read through a name or access chain (`features`,
   * `xTrain.shape[1]`) is a hole named after that chain: a value given for the name (annotation,
   * `--set`, a remembered value) fills it, otherwise the Unknown carries the name.
   */
  eval(node, scope) {
    const value = this.evalNode(node, scope);
    if (!(value instanceof Unknown)) return value;
    const ts = this.ts;
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return value;
    const chain = ts.isIdentifier(node) ? node.text || void 0 : accessChain(node.getText(this.file));
    if (chain === void 0) return value;
    const filled = this.fillFor(chain);
    if (filled.found) return filled.value;
    const extendsHole = value.hole && (chain.startsWith(`${value.hole.name}.`) || chain.startsWith(`${value.hole.name}[`));
    if (value.hole && !extendsHole) return value;
    return new Unknown(value.text, value.reason, { name: chain, range: this.rangeOf(node) }, value.foreign);
  }
  evalNode(node, scope) {
    const ts = this.ts;
    this.tick();
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral:
        return Number(node.text);
      case ts.SyntaxKind.BigIntLiteral:
        return new Unknown(this.text(node), "bigint values are not supported");
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return node.text;
      case ts.SyntaxKind.TrueKeyword:
        return true;
      case ts.SyntaxKind.FalseKeyword:
        return false;
      case ts.SyntaxKind.NullKeyword:
        return null;
      case ts.SyntaxKind.ThisKeyword: {
        const binding = scope.lookup("this");
        return binding ? binding.value : new Unknown("this", "`this` is not known here");
      }
    }
    if (ts.isIdentifier(node)) {
      const binding = scope.lookup(node.text);
      if (binding) return binding.value;
      return new Unknown(node.text, `\`${node.text}\` is not defined in this file`);
    }
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isAwaitExpression(node)) {
      return this.eval(node.expression, scope);
    }
    if (ts.isTemplateExpression(node)) {
      let result = node.head.text;
      for (const span of node.templateSpans) {
        const value = this.eval(span.expression, scope);
        if (!isPrimitive(value)) return new Unknown(this.text(node), `\`${this.text(span.expression)}\` is not a constant`);
        result += String(value) + span.literal.text;
      }
      return result;
    }
    if (ts.isArrayLiteralExpression(node)) {
      const result = [];
      for (const element of node.elements) {
        if (ts.isSpreadElement(element)) {
          const spread = this.eval(element.expression, scope);
          if (Array.isArray(spread)) result.push(...spread);
          else if (typeof spread === "string") result.push(...spread);
          else result.push(new Unknown(this.text(element), `\`${this.text(element.expression)}\` is not a constant list`));
        } else if (ts.isOmittedExpression(element)) {
          result.push(void 0);
        } else {
          result.push(this.eval(element, scope));
        }
      }
      return result;
    }
    if (ts.isObjectLiteralExpression(node)) return this.evalObject(node, scope);
    if (ts.isPropertyAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      if (node.questionDotToken && (object === void 0 || object === null)) return void 0;
      return this.member(object, node.name.text, node);
    }
    if (ts.isElementAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      const key = toPropertyKey(this.eval(node.argumentExpression, scope));
      if (key === void 0) {
        return new Unknown(this.text(node), object instanceof Unknown ? object.reason : `index \`${this.text(node.argumentExpression)}\` is not a constant`, object instanceof Unknown ? object.hole : void 0);
      }
      return this.member(object, key, node);
    }
    if (ts.isCallExpression(node)) return this.evalCall(node, scope);
    if (ts.isNewExpression(node)) {
      const callee = this.eval(node.expression, scope);
      const args = this.evalArgs(node.arguments ?? ts.factory.createNodeArray(), scope);
      if (callee instanceof ObjectValue && ts.isIdentifier(node.expression) && node.expression.text === "Array") {
        return this.callValue(this.globals.lookup("%ArrayConstructor")?.value, args, node, void 0);
      }
      if (callee instanceof FunctionValue || callee instanceof NativeFunction) return this.callValue(callee, args, node, void 0);
      if (callee instanceof CustomLayerClass) {
        const [config] = args;
        const iteration = this.iterations.length ? [...this.iterations] : void 0;
        return new LayerValue(callee.info.className, false, config instanceof ObjectValue ? config : void 0, this.rangeOf(node), iteration, callee.info);
      }
      return new Unknown(this.text(node), `\`new ${this.text(node.expression)}\` is not evaluated`);
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const thisValue = ts.isArrowFunction(node) ? scope.lookup("this")?.value : void 0;
      const name = node.name?.text ?? inferredFunctionName(ts, node);
      return new FunctionValue(node, scope, name, thisValue);
    }
    if (ts.isConditionalExpression(node)) {
      const condition = truthy(this.eval(node.condition, scope));
      if (condition === void 0) {
        return new Unknown(this.text(node), `condition \`${this.text(node.condition)}\` is not a constant`);
      }
      return this.eval(condition ? node.whenTrue : node.whenFalse, scope);
    }
    if (ts.isPrefixUnaryExpression(node)) return this.evalPrefix(node, scope);
    if (ts.isPostfixUnaryExpression(node)) {
      const old = this.eval(node.operand, scope);
      if (typeof old !== "number") {
        this.assignTo(node.operand, new Unknown(this.text(node.operand), "not a number"), scope);
        return new Unknown(this.text(node), "not a number");
      }
      this.assignTo(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? old + 1 : old - 1, scope);
      return old;
    }
    if (ts.isBinaryExpression(node)) return this.evalBinary(node, scope);
    if (ts.isTypeOfExpression(node)) {
      const value = this.eval(node.expression, scope);
      if (value instanceof Unknown) return new Unknown(this.text(node), value.reason, value.hole);
      if (Array.isArray(value) || value === null || value instanceof ObjectValue) return "object";
      if (value instanceof FunctionValue || value instanceof NativeFunction) return "function";
      return isPrimitive(value) ? typeof value : "object";
    }
    if (ts.isVoidExpression(node)) {
      this.eval(node.expression, scope);
      return void 0;
    }
    if (ts.isDeleteExpression(node)) return true;
    if (ts.isClassExpression(node)) return new Unknown(this.text(node), "classes are not evaluated");
    if (ts.isTaggedTemplateExpression(node)) return new Unknown(this.text(node), "tagged templates are not evaluated");
    return new Unknown(this.text(node), "this kind of expression is not evaluated");
  }
  evalObject(node, scope) {
    const ts = this.ts;
    const result = new ObjectValue(this.rangeOf(node));
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.eval(property.expression, scope);
        if (spread instanceof ObjectValue) copyProps(spread, result);
        else if (!(spread === void 0 || spread === null)) {
          this.problem(`Spread \`${this.text(property.expression)}\` is not a constant object; its properties are unknown.`, property, "info");
        }
        continue;
      }
      if (ts.isShorthandPropertyAssignment(property)) {
        result.props.set(property.name.text, this.eval(property.name, scope));
        result.ranges.set(property.name.text, { property: this.rangeOf(property), value: this.rangeOf(property.name) });
        continue;
      }
      const key = property.name ? this.propertyName(property.name, scope) : void 0;
      if (key === void 0) continue;
      if (ts.isPropertyAssignment(property)) {
        result.props.set(key, this.eval(property.initializer, scope));
        result.ranges.set(key, { property: this.rangeOf(property), value: this.rangeOf(property.initializer) });
      } else if (ts.isMethodDeclaration(property) && property.body) {
        result.props.set(key, new FunctionValue(property, scope, key, result));
      }
    }
    return result;
  }
  propertyName(name, scope) {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isComputedPropertyName(name)) return toPropertyKey(this.eval(name.expression, scope));
    return void 0;
  }
  evalPrefix(node, scope) {
    const ts = this.ts;
    const operand = this.eval(node.operand, scope);
    switch (node.operator) {
      case ts.SyntaxKind.PlusPlusToken:
      case ts.SyntaxKind.MinusMinusToken: {
        const next = typeof operand === "number" ? operand + (node.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1) : new Unknown(this.text(node), "not a number");
        this.assignTo(node.operand, next, scope);
        return next;
      }
      case ts.SyntaxKind.ExclamationToken: {
        const t = truthy(operand);
        return t === void 0 ? new Unknown(this.text(node), "operand is not a constant") : !t;
      }
      case ts.SyntaxKind.MinusToken:
        return typeof operand === "number" ? -operand : new Unknown(this.text(node), unknownReason(operand, this.text(node.operand)));
      case ts.SyntaxKind.PlusToken:
        return toNumber(operand);
      case ts.SyntaxKind.TildeToken:
        return typeof operand === "number" ? ~operand : new Unknown(this.text(node), "operand is not a constant");
    }
    return new Unknown(this.text(node), "operator not supported");
  }
  evalBinary(node, scope) {
    const ts = this.ts;
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const value2 = this.eval(node.right, scope);
      this.assignTo(node.left, value2, scope);
      return value2;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const left2 = this.eval(node.left, scope);
      if (op === ts.SyntaxKind.QuestionQuestionToken) {
        if (left2 instanceof Unknown) return new Unknown(this.text(node), left2.reason, left2.hole);
        return left2 === void 0 || left2 === null ? this.eval(node.right, scope) : left2;
      }
      const t = truthy(left2);
      if (t === void 0) return new Unknown(this.text(node), unknownReason(left2, this.text(node.left)));
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return t ? this.eval(node.right, scope) : left2;
      return t ? left2 : this.eval(node.right, scope);
    }
    if (op === ts.SyntaxKind.CommaToken) {
      this.eval(node.left, scope);
      return this.eval(node.right, scope);
    }
    const compound = COMPOUND_ASSIGNMENT(ts).get(op);
    if (compound !== void 0) {
      const value2 = binaryOp(ts, compound, this.eval(node.left, scope), this.eval(node.right, scope));
      const result = value2 === NOT_CONSTANT ? new Unknown(this.text(node), "operands are not constants") : value2;
      this.assignTo(node.left, result, scope);
      return result;
    }
    const left = this.eval(node.left, scope);
    const right = this.eval(node.right, scope);
    const value = binaryOp(ts, op, left, right);
    if (value !== NOT_CONSTANT) return value;
    const culprit = left instanceof Unknown ? left : right instanceof Unknown ? right : void 0;
    return new Unknown(this.text(node), culprit ? culprit.reason : "operands are not constants", culprit?.hole);
  }
  evalArgs(args, scope) {
    const result = [];
    for (const arg of args) {
      if (this.ts.isSpreadElement(arg)) {
        const spread = this.eval(arg.expression, scope);
        if (Array.isArray(spread)) result.push(...spread);
        else result.push(new Unknown(this.text(arg), "spread of a value that is not a constant list"));
      } else {
        result.push(this.eval(arg, scope));
      }
    }
    return result;
  }
  evalCall(node, scope) {
    const ts = this.ts;
    const calleeNode = skipOuterExpressions(ts, node.expression);
    if (ts.isIdentifier(calleeNode) && calleeNode.text === "require" && !scope.lookup("require")) {
      const specifier = node.arguments[0];
      if (this.isTfjsModule(specifier)) return new Namespace([]);
      const source = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : "?";
      const module2 = this.importModule(source);
      if (module2 instanceof ObjectValue) return module2.props.size === 1 && module2.props.has("default") ? module2.props.get("default") : module2;
      return new Unknown(this.text(node), module2.reason);
    }
    let thisValue;
    let callee;
    if (ts.isPropertyAccessExpression(calleeNode) || ts.isElementAccessExpression(calleeNode)) {
      thisValue = this.eval(calleeNode.expression, scope);
      const key = ts.isPropertyAccessExpression(calleeNode) ? calleeNode.name.text : toPropertyKey(this.eval(calleeNode.argumentExpression, scope));
      if (key === void 0) return new Unknown(this.text(node), "method name is not a constant");
      if (node.questionDotToken || ts.isPropertyAccessExpression(calleeNode) && calleeNode.questionDotToken) {
        if (thisValue === void 0 || thisValue === null) return void 0;
      }
      const method = this.method(thisValue, key, node, scope);
      if (method) return method;
      callee = this.member(thisValue, key, calleeNode);
    } else {
      callee = this.eval(calleeNode, scope);
    }
    const args = this.evalArgs(node.arguments, scope);
    if (callee instanceof Unknown) {
      if (callee.foreign) this.onForeignCall?.(callee.foreign, args, node);
      this.runCallbacks(args);
      return new Unknown(this.text(node), callee.reason);
    }
    return this.callValue(callee, args, node, thisValue);
  }
  callValue(callee, args, site, thisValue) {
    if (callee instanceof Namespace) return this.callTf(callee, args, site);
    if (callee instanceof ObjectValue && callee === this.globals.lookup("Number")?.value) {
      return this.callValue(this.globals.lookup("%NumberConstructor")?.value, args, site, void 0);
    }
    if (callee instanceof NativeFunction) return callee.call(args, site);
    if (callee instanceof FunctionValue) return this.callFunction(callee, args, site, thisValue);
    this.runCallbacks(args);
    return new Unknown(this.text(site), "call of a value that is not a known function");
  }
  /** `asTemplate`: parameters without an argument or default are unknown, not `undefined`. */
  callFunction(fn, args, site, thisValue, asTemplate = false) {
    const ts = this.ts;
    if (fn.name === CLIP_HELPER_NAME && !asTemplate) {
      this.calledFunctions.add(fn.declaration);
      return new FactoryCall(CLIPPED_OPTIMIZER_CALL, args.slice(0, 2));
    }
    this.calledFunctions.add(fn.declaration);
    this.callsOfRun?.add(fn.declaration);
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.problem(`Calls nest deeper than ${MAX_CALL_DEPTH} (recursion?); \`${fn.name}\` was not followed.`, site);
      return new Unknown(this.text(site), "recursion too deep");
    }
    const scope = new Scope(fn.scope);
    const boundThis = fn.thisValue ?? thisValue;
    if (boundThis !== void 0) scope.declare("this", boundThis);
    const given = asTemplate ? this.templateValues : void 0;
    fn.declaration.parameters.forEach((parameter, index) => {
      let value = parameter.dotDotDotToken ? args.slice(index) : args[index];
      if (given && ts.isIdentifier(parameter.name) && given.has(parameter.name.text)) value = given.get(parameter.name.text);
      else if (given && ts.isObjectBindingPattern(parameter.name) && parameter.name.elements.some((e) => ts.isIdentifier(e.name) && given.has(e.name.text))) {
        const options = new ObjectValue();
        for (const element of parameter.name.elements) {
          if (!ts.isIdentifier(element.name)) continue;
          const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
          if (given.has(element.name.text)) options.props.set(key, given.get(element.name.text));
          else if (!element.initializer) options.props.set(key, new Unknown(element.name.text, `\`${element.name.text}\` of \`${fn.name}\`'s options has no known value`, { name: element.name.text, range: this.rangeOf(element.name) }));
        }
        value = options;
      } else if (value === void 0 && parameter.initializer) value = this.eval(parameter.initializer, scope);
      else if (value === void 0 && asTemplate && ts.isIdentifier(parameter.name) && this.jsDocDefault(fn.declaration, parameter.name.text)) {
        const { expression, file } = this.jsDocDefault(fn.declaration, parameter.name.text);
        value = this.evalForeign(expression, file, scope);
      } else if (value === void 0 && asTemplate) {
        const name = this.text(parameter.name);
        value = new Unknown(name, `parameter \`${name}\` of \`${fn.name}\` has no known value`, { name, range: this.rangeOf(parameter.name) });
      }
      this.bindPattern(parameter.name, value, scope);
      if (boundThis instanceof ObjectValue && ts.isIdentifier(parameter.name) && ts.isParameterPropertyDeclaration(parameter, parameter.parent)) {
        boundThis.props.set(parameter.name.text, scope.lookup(parameter.name.text)?.value);
      }
    });
    const body = fn.declaration.body;
    if (!body) return void 0;
    this.callDepth++;
    try {
      if (ts.isBlock(body)) {
        const completion = this.execBlock(body.statements, scope);
        return completion?.kind === "return" ? completion.value : void 0;
      }
      return this.eval(body, scope);
    } finally {
      this.callDepth--;
    }
  }
  /**
   * Functions nobody in the file calls (`export function createModel() {...}`) are run once with
   * unknown parameters (defaults applied), so the models they build are found too.
   */
  runTemplates(scope) {
    const ts = this.ts;
    const candidates = [];
    const addClassMethods = (node, className) => {
      const instance = new ObjectValue();
      for (const member of node.members) {
        if ((ts.isMethodDeclaration(member) || ts.isConstructorDeclaration(member)) && member.body) {
          const name = ts.isConstructorDeclaration(member) ? className : this.propertyName(member.name, scope) ?? className;
          const fn = new FunctionValue(member, scope, name, instance);
          if (!ts.isConstructorDeclaration(member)) instance.props.set(name, fn);
          candidates.push({ fn, name: ts.isConstructorDeclaration(member) ? className : `${className}.${name}` });
        }
      }
    };
    for (const statement of this.file.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        const value = scope.lookup(statement.name.text)?.value;
        if (value instanceof FunctionValue) candidates.push({ fn: value, name: statement.name.text });
      } else if (ts.isFunctionDeclaration(statement) && !statement.name && statement.body) {
        candidates.push({ fn: new FunctionValue(statement, scope, "default"), name: "default" });
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (!ts.isIdentifier(declaration.name)) continue;
          const value = scope.lookup(declaration.name.text)?.value;
          if (value instanceof FunctionValue) candidates.push({ fn: value, name: declaration.name.text });
        }
      } else if (ts.isClassDeclaration(statement)) {
        addClassMethods(statement, statement.name?.text ?? "default");
      } else if (ts.isExportAssignment(statement)) {
        const inner = skipOuterExpressions(ts, statement.expression);
        if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) {
          candidates.push({ fn: new FunctionValue(inner, scope, "default"), name: "default" });
        }
      }
    }
    const runs = [];
    for (const { fn, name } of candidates) {
      if (this.calledFunctions.has(fn.declaration)) continue;
      const given = this.valuesFor(fn.declaration, scope, name);
      const branch = this.branchParameter(fn.declaration, given);
      const sites = this.callSites[name] ?? [];
      const variants = sites.length ? sites.map((args) => ({ label: `${name}(${args.map(formatArgument).join(", ")})`, args: args.map(fromConfigValue) })) : branch ? branch.values.map((value) => ({ label: `${name}[${value}]`, value })) : [{ label: name }];
      for (const variant of variants) {
        const called = /* @__PURE__ */ new Set();
        this.callsOfRun = called;
        const { models, problems } = this.speculate(() => {
          this.templateName = variant.label;
          this.builderName = name;
          this.templateHolder = this.rangeOf(this.annotationHolder(fn.declaration));
          try {
            this.templateValues = new Map(given);
            if (branch && variant.value !== void 0) this.templateValues.set(branch.parameter, variant.value);
            this.callFunction(fn, variant.args ?? [], fn.declaration, void 0, true);
          } finally {
            this.templateName = void 0;
            this.builderName = void 0;
            this.templateHolder = void 0;
            this.callsOfRun = void 0;
            this.templateValues = void 0;
          }
        });
        for (const model of models) model.template ??= variant.label;
        called.delete(fn.declaration);
        runs.push({ fn, models, problems, called });
      }
    }
    for (const run of runs) {
      if (!runs.some((other) => other !== run && other.models.length && other.called.has(run.fn.declaration))) continue;
      const dropped = new Set(run.models);
      const kept = this.models.filter((m) => !dropped.has(m));
      this.models.splice(0, this.models.length, ...kept);
      this.dropProblems(run.problems);
    }
  }
  /**
   * Values for a template's parameters: presets (`--set`, remembered values) overridden by the
   * function's annotation, a comment just above it: `// gradient-lens: inputShape=[13], units=64, modelType='cnn'`.
   * Values are constant expressions of the file (`[IMAGE_H, IMAGE_W, 1]` works).
   */
  valuesFor(declaration, scope, builder) {
    const values = /* @__PURE__ */ new Map();
    const given = { ...this.presets, ...this.presetsFor[builder] ?? {} };
    for (const entry of this.annotationEntries(Object.entries(given).map(([k, v]) => `${k}=${v}`).join(", "), declaration)) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    for (const entry of this.annotationAbove(this.annotationHolder(declaration))) {
      values.set(entry.name, this.evalForeign(entry.expression, entry.file, scope));
    }
    return values;
  }
  /**
   * The parameter a function compares with string literals (`kind === 'cnn'`, `case 'rnn':`)
   * most often, when it has no given value and two or more names; those names in source order.
   */
  branchParameter(declaration, given) {
    const ts = this.ts;
    const parameters = /* @__PURE__ */ new Set();
    for (const parameter of declaration.parameters) {
      if (ts.isIdentifier(parameter.name)) parameters.add(parameter.name.text);
      else for (const name of this.boundNames(parameter.name)) parameters.add(name);
    }
    for (const name of given.keys()) parameters.delete(name);
    if (!parameters.size) return void 0;
    const found = /* @__PURE__ */ new Map();
    const note = (name, literal) => {
      if (!ts.isIdentifier(name) || !parameters.has(name.text) || !ts.isStringLiteralLike(literal)) return;
      const list = found.get(name.text) ?? [];
      if (!list.includes(literal.text)) list.push(literal.text);
      found.set(name.text, list);
    };
    const equality = /* @__PURE__ */ new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
    const visit = (node) => {
      if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
        note(node.left, node.right);
        note(node.right, node.left);
      } else if (ts.isSwitchStatement(node)) {
        for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) note(node.expression, clause.expression);
      }
      ts.forEachChild(node, visit);
    };
    if (declaration.body) visit(declaration.body);
    const best = [...found].sort((a, b) => b[1].length - a[1].length)[0];
    return best && best[1].length >= 2 ? { parameter: best[0], values: best[1] } : void 0;
  }
  /** The default a JSDoc comment gives a parameter: `@param {number} [units=64]`, as an expression. */
  jsDocDefault(declaration, name) {
    const ts = this.ts;
    const holder = this.annotationHolder(declaration);
    for (const comment of ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const text = this.file.text.slice(comment.pos, comment.end);
      const escaped = name.replace(/[$]/g, "\\$");
      const match = new RegExp(`@param\\s+(?:\\{[^}]*\\}\\s*)?\\[\\s*${escaped}\\s*=\\s*([^\\]]+?)\\s*\\]`).exec(text);
      if (!match) continue;
      const file = ts.createSourceFile("jsdoc.ts", `(${match[1]})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (statement && ts.isExpressionStatement(statement)) return { expression: statement.expression, file };
    }
    return void 0;
  }
  /** The statement an annotation comment sits above (a `const f = () => ...` too). */
  annotationHolder(declaration) {
    const ts = this.ts;
    let holder = declaration;
    while (holder.parent && !ts.isSourceFile(holder.parent) && !ts.isClassLike(holder.parent) && !ts.isBlock(holder.parent)) holder = holder.parent;
    return holder;
  }
  annotationAbove(holder) {
    const entries = [];
    for (const comment of this.ts.getLeadingCommentRanges(this.file.text, holder.getFullStart()) ?? []) {
      const match = ANNOTATION.exec(this.file.text.slice(comment.pos, comment.end));
      if (match) entries.push(...this.annotationEntries(match[1], holder));
    }
    return entries;
  }
  /** `a=1, xTrain.shape[1]=13, shape=[28, 28, 1]` -> one parsed expression per name. */
  annotationEntries(text, at) {
    const ts = this.ts;
    const entries = [];
    const starts = [...text.matchAll(/([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*)\s*=(?!=)/g)];
    starts.forEach((match, i) => {
      const end = i + 1 < starts.length ? starts[i + 1].index : text.length;
      const expression = text.slice(match.index + match[0].length, end).trim().replace(/,\s*$/, "");
      const file = ts.createSourceFile("annotation.ts", `(${expression})`, ts.ScriptTarget.Latest, true);
      const statement = file.statements[0];
      if (!statement || !ts.isExpressionStatement(statement) || file.parseDiagnostics?.length) {
        this.problem(`Annotation value of \`${match[1]}\` is not an expression: ${expression}`, at, "warning");
        return;
      }
      entries.push({ name: match[1], expression: statement.expression, file });
    });
    return entries;
  }
  /**
   * File-wide values: `--set` pairs and annotations above top-level statements that are not
   * functions (those belong to the function). Evaluated on first use, in the module scope.
   */
  collectFileFills() {
    const ts = this.ts;
    const entries = [];
    for (const statement of this.file.statements) {
      const isFunction = ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer)));
      if (!isFunction) entries.push(...this.annotationAbove(statement));
    }
    entries.push(...this.annotationEntries(Object.entries(this.presets).map(([k, v]) => `${k}=${v}`).join(", "), this.file));
    for (const entry of entries) if (!this.fileFills.has(entry.name)) this.fileFills.set(entry.name, { entry });
  }
  fillFor(chain) {
    if (this.templateValues?.has(chain)) return { found: true, value: this.templateValues.get(chain) };
    const fill = this.fileFills.get(chain);
    if (!fill || !this.moduleScope) return { found: false };
    if (!("value" in fill)) {
      fill.value = new Unknown(chain, "annotation refers to itself");
      fill.value = this.evalForeign(fill.entry.expression, fill.entry.file, this.moduleScope);
    }
    return { found: true, value: fill.value };
  }
  /** Evaluates an expression parsed from other text (an annotation) against this file's scope. */
  evalForeign(expression, file, scope) {
    const saved = this.file;
    this.file = file;
    try {
      return this.eval(expression, scope);
    } finally {
      this.file = saved;
    }
  }
  /** Runs `body`; when it builds no model, it was not model code and its problems are dropped. */
  speculate(body) {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    body();
    const models = this.models.slice(modelsBefore);
    const problems = this.problems.slice(problemsBefore);
    if (!models.length) this.dropProblems(problems);
    return { models, problems };
  }
  dropProblems(problems) {
    if (!problems.length) return;
    const dropped = new Set(problems);
    const kept = this.problems.filter((p) => !dropped.has(p));
    this.problems.splice(0, this.problems.length, ...kept);
    for (const p of problems) this.problemKeys.delete(`${p.range.start}:${p.range.end}:${p.message}`);
  }
  /**
   * Functions handed to code the parser cannot follow (`data.load().then(() => {...})`,
   * `button.addEventListener('click', async () => {...})`) often build the model: run them.
   */
  runCallbacks(args) {
    for (const arg of args) {
      if (!(arg instanceof FunctionValue) || this.calledFunctions.has(arg.declaration)) continue;
      this.speculate(() => void this.callFunction(arg, [], arg.declaration, void 0, true));
    }
  }
  // ---------------------------------------------------------------- members and methods
  member(object, key, site) {
    if (object instanceof Namespace) return object.child(key);
    if (object instanceof ObjectValue) {
      if (object.props.has(key)) return object.props.get(key);
      return void 0;
    }
    if (Array.isArray(object)) {
      if (key === "length") return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return void 0;
    }
    if (typeof object === "string") {
      if (key === "length") return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return void 0;
    }
    if (object instanceof Unknown) return new Unknown(this.text(site), object.reason, object.hole);
    if (object instanceof TensorValue && key === "shape") return new Unknown(this.text(site), "symbolic tensor shapes are inferred later, not during parsing");
    return new Unknown(this.text(site), `property \`${key}\` is not known`);
  }
  /** Methods with behaviour: tfjs models and layers, arrays, strings. Undefined: not a method we handle. */
  method(object, key, site, scope) {
    if (object instanceof LayerValue && key === "apply") return this.applyLayer(object, this.evalArgs(site.arguments, scope), site);
    if (object instanceof SequentialModel && key === "add") {
      const [layer] = this.evalArgs(site.arguments, scope);
      this.modelWork++;
      if (layer instanceof LayerValue) object.layers.push(layer);
      else if (isModel(layer)) this.addModelAsLayers(object, layer, site);
      else this.problem(`\`${this.text(site.arguments[0] ?? site)}\` is not a layer the parser could resolve; the model may be missing a layer here.`, site.arguments[0] ?? site);
      return void 0;
    }
    if (isModel(object) && key === "compile") {
      const [config] = this.evalArgs(site.arguments, scope);
      object.compile = { args: config instanceof ObjectValue ? config : void 0, range: this.rangeOf(site) };
      return void 0;
    }
    if (isModel(object) && key === "apply") return this.applyModel(object, this.evalArgs(site.arguments, scope), site);
    if (Array.isArray(object)) return this.arrayMethod(object, key, site, scope);
    if (typeof object === "string") return stringMethod(object, key, this.evalArgs(site.arguments, scope));
    return void 0;
  }
  callback(fn, args, site) {
    return this.callValue(fn, args, site, void 0);
  }
  mapWithIterations(items, fn, site, array) {
    const result = [];
    this.iterations.push(0);
    try {
      items.forEach((item, index) => {
        this.iterations[this.iterations.length - 1] = index;
        result.push(this.callback(fn, [item, index, array], site));
      });
    } finally {
      this.iterations.pop();
    }
    return result;
  }
  arrayMethod(array, key, site, scope) {
    const args = () => this.evalArgs(site.arguments, scope);
    switch (key) {
      case "push": {
        const items = args();
        array.push(...items);
        return array.length;
      }
      case "unshift": {
        const items = args();
        array.unshift(...items);
        return array.length;
      }
      case "pop":
        return array.pop();
      case "shift":
        return array.shift();
      case "map":
        return this.mapWithIterations(array, args()[0], site, array);
      case "forEach":
        this.mapWithIterations(array, args()[0], site, array);
        return void 0;
      case "flatMap":
        return this.mapWithIterations(array, args()[0], site, array).flatMap((v) => Array.isArray(v) ? v : [v]);
      case "filter": {
        const [fn] = args();
        const keep = this.mapWithIterations(array, fn, site, array);
        return array.filter((_, i) => truthy(keep[i]) !== false);
      }
      case "reduce": {
        const [fn, ...initial] = args();
        let accumulator = initial.length ? initial[0] : array[0];
        const start = initial.length ? 0 : 1;
        this.iterations.push(0);
        try {
          for (let i = start; i < array.length; i++) {
            this.iterations[this.iterations.length - 1] = i;
            accumulator = this.callback(fn, [accumulator, array[i], i, array], site);
          }
        } finally {
          this.iterations.pop();
        }
        return accumulator;
      }
      case "fill": {
        const [value, startArg, endArg] = args();
        const start = typeof startArg === "number" ? startArg : 0;
        const end = typeof endArg === "number" ? endArg : array.length;
        for (let i = start; i < end && i < array.length; i++) array[i] = value;
        return array;
      }
      case "slice": {
        const [a, b] = args();
        return array.slice(typeof a === "number" ? a : void 0, typeof b === "number" ? b : void 0);
      }
      case "concat":
        return array.concat(...args().map((v) => Array.isArray(v) ? v : [v]));
      case "reverse":
        return array.reverse();
      case "join": {
        const [separator] = args();
        if (!array.every(isPrimitive)) return new Unknown(this.text(site), "elements are not constants");
        return array.join(typeof separator === "string" ? separator : ",");
      }
      case "includes": {
        const [value] = args();
        return array.some((item) => strictEquals(item, value) === true);
      }
      case "indexOf": {
        const [value] = args();
        return array.findIndex((item) => strictEquals(item, value) === true);
      }
      case "at": {
        const [index] = args();
        return typeof index === "number" ? array.at(index) : new Unknown(this.text(site), "index is not a constant");
      }
      case "keys":
        return array.map((_, i) => i);
      case "entries":
        return array.map((v, i) => [i, v]);
      case "flat":
        return array.flatMap((v) => Array.isArray(v) ? v : [v]);
      case "every":
      case "some": {
        const results = this.mapWithIterations(array, args()[0], site, array).map(truthy);
        if (results.some((r2) => r2 === void 0)) return new Unknown(this.text(site), "callback result is not a constant");
        return key === "every" ? results.every(Boolean) : results.some(Boolean);
      }
    }
    return void 0;
  }
  newArray(length) {
    if (!Number.isInteger(length) || length < 0 || length > MAX_LOOP_ITERATIONS) return [];
    return new Array(length).fill(void 0);
  }
  arrayFrom(args, site) {
    const [source, fn] = args;
    let items;
    if (Array.isArray(source)) items = [...source];
    else if (typeof source === "string") items = [...source];
    else if (source instanceof ObjectValue && typeof source.props.get("length") === "number") {
      const length = source.props.get("length");
      if (length > MAX_LOOP_ITERATIONS) {
        this.loopCapProblem(site, this.modelWork);
        items = this.newArray(MAX_LOOP_ITERATIONS);
      } else {
        items = this.newArray(length);
      }
    } else {
      return new Unknown(this.text(site), "Array.from of a value that is not a constant");
    }
    return fn === void 0 ? items : this.mapWithIterations(items, fn, site, items);
  }
  // ---------------------------------------------------------------- tfjs
  callTf(callee, args, site) {
    const path = callee.path;
    const range = this.rangeOf(site);
    if (path.length === 2 && path[0] === "layers") {
      const type = path[1];
      const [config] = args;
      if (config !== void 0 && !(config instanceof ObjectValue)) {
        if (config instanceof Unknown) {
          this.problem(`The config of \`${type}\` is not a constant object: ${config.reason}.`, site);
        }
      }
      const known2 = LAYER_FACTORIES.has(type);
      this.modelWork++;
      return new LayerValue(type, known2, config instanceof ObjectValue ? config : void 0, range, this.iterations.length ? [...this.iterations] : void 0);
    }
    if (path.length === 1 && path[0] === "sequential") {
      const model = new SequentialModel(range);
      const [config] = args;
      if (config instanceof ObjectValue) {
        const layers = config.props.get("layers");
        if (Array.isArray(layers)) {
          for (const layer of layers) {
            if (layer instanceof LayerValue) model.layers.push(layer);
            else this.problem("An element of `layers` is not a layer the parser could resolve; the model may be missing a layer.", site);
          }
        } else if (layers !== void 0) {
          this.problem("`layers` is not a constant list of layers; the model may be missing layers.", site);
        }
        const name = config.props.get("name");
        if (typeof name === "string") this.nameFromConfig(model, name);
      }
      return this.registerModel(model);
    }
    if (path.length === 1 && path[0] === "input") {
      const [config] = args;
      const layer = new LayerValue("inputLayer", true, config instanceof ObjectValue ? config : void 0, range, this.iterations.length ? [...this.iterations] : void 0);
      return new TensorValue(this.node(layer, []));
    }
    if (path.length === 1 && path[0] === "model") {
      const [config] = args;
      const tensors = (value, role) => {
        const list = Array.isArray(value) ? value : [value];
        const result = list.filter((v) => v instanceof TensorValue);
        if (result.length !== list.length || list.length === 0) {
          this.problem(`\`${role}\` of the model is not made of symbolic tensors the parser could resolve.`, site);
        }
        return result;
      };
      if (!(config instanceof ObjectValue)) {
        this.problem("`tf.model` needs a constant `{inputs, outputs}` object.", site);
        return new Unknown(this.text(site), "model config is not a constant object");
      }
      const model = new FunctionalModel(range, tensors(config.props.get("inputs"), "inputs"), tensors(config.props.get("outputs"), "outputs"));
      const name = config.props.get("name");
      if (typeof name === "string") this.nameFromConfig(model, name);
      return this.registerModel(model);
    }
    return new FactoryCall(path.join("."), args);
  }
  nameFromConfig(model, name) {
    model.name = name;
    model.nameDepth = Number.POSITIVE_INFINITY;
  }
  registerModel(model) {
    this.modelWork++;
    if (this.templateName) model.template = this.templateName;
    if (this.builderName) model.builder = this.builderName;
    if (this.templateHolder) model.annotationHolder = this.templateHolder;
    this.models.push(model);
    return model;
  }
  node(layer, inbound, inboundIndex) {
    const indexed = inboundIndex?.some((i) => i !== 0);
    return { layer, inbound, ...indexed ? { inboundIndex } : {}, order: this.nodeOrder++ };
  }
  /**
   * A model used as a layer is read as its layers, inlined where it is used (marked `partOf`):
   * gradients flow through them exactly as through the nested model.
   */
  addModelAsLayers(outer, inner, site) {
    const name = inner.name ?? "model";
    if (inner === outer) {
      this.problem("A model cannot be added to itself.", site);
      return;
    }
    if (inner instanceof SequentialModel) {
      for (const layer of [...inner.layers]) {
        this.tick();
        if (layer.type !== "inputLayer" || outer.layers.length === 0) outer.layers.push(layer.inlined(name));
      }
      return;
    }
    const nodes = functionalNodes(inner);
    const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
    if (!chain) {
      this.problem(`\`${name}\` has branches; adding it to a sequential model is not read (apply it to a tensor in a functional model instead).`, site);
      return;
    }
    for (const node of nodes) {
      this.tick();
      if (node.layer.type !== "inputLayer" || outer.layers.length === 0) outer.layers.push(node.layer.inlined(name));
    }
  }
  applyModel(model, args, site) {
    const [input] = args;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v) => v instanceof TensorValue)) {
      const unknown = given.find((v) => v instanceof Unknown);
      return new Unknown(this.text(site), unknown ? unknown.reason : "model applied to a value that is not a symbolic tensor", unknown?.hole);
    }
    const name = model.name ?? "model";
    this.modelWork++;
    if (model instanceof SequentialModel) {
      let current = given[0];
      for (const layer of [...model.layers]) {
        this.tick();
        if (layer.type === "inputLayer") continue;
        current = new TensorValue(this.node(layer.inlined(name), [current.node], [current.index]));
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is applied to ${given.length}.`, site);
      return new Unknown(this.text(site), "model applied to the wrong number of inputs");
    }
    const mapped = /* @__PURE__ */ new Map();
    model.inputs.forEach((tensor, i) => mapped.set(tensor.node, given[i]));
    const copies = /* @__PURE__ */ new Map();
    const tensorFor = (node, index) => {
      const input2 = mapped.get(node);
      return input2 ?? new TensorValue(copies.get(node), index);
    };
    for (const node of functionalNodes(model)) {
      this.tick();
      if (mapped.has(node)) continue;
      const inputs = node.inbound.map((n, i) => tensorFor(n, node.inboundIndex?.[i] ?? 0));
      copies.set(node, this.node(node.layer.inlined(name), inputs.map((t) => t.node), inputs.map((t) => t.index)));
    }
    const outputs = model.outputs.map((t) => tensorFor(t.node, t.index));
    return outputs.length === 1 ? outputs[0] : outputs;
  }
  applyLayer(layer, args, site) {
    const [input] = args;
    const inputs = Array.isArray(input) ? input : [input];
    const tensors = inputs.filter((v) => v instanceof TensorValue);
    if (tensors.length !== inputs.length || tensors.length === 0) {
      const unknown = inputs.find((v) => v instanceof Unknown);
      if (!unknown) this.problem(`\`${layer.type}.apply\` is given something that is not a symbolic tensor.`, site, "info");
      return new Unknown(this.text(site), unknown ? unknown.reason : "layer applied to a value that is not a symbolic tensor");
    }
    if (this.appliedLayers.has(layer)) {
      this.problem(
        `This \`${layer.type}\` layer object is applied more than once (shared weights); each use is listed as its own layer, so parameter counts may be too high.`,
        site,
        "info"
      );
    }
    this.appliedLayers.add(layer);
    if (MERGE_LAYERS.has(layer.type) && !Array.isArray(input)) {
      this.problem(`\`${layer.type}\` merges a list of tensors: write \`.apply([a, b])\`.`, site);
    }
    this.modelWork++;
    const node = this.node(layer, tensors.map((t) => t.node), tensors.map((t) => t.index));
    if (["lstm", "gru", "simpleRNN"].includes(layer.type) && layer.config?.props.get("returnState") === true) {
      const states = layer.type === "lstm" ? 2 : 1;
      return Array.from({ length: states + 1 }, (_, i) => new TensorValue(node, i));
    }
    return new TensorValue(node);
  }
};
function formatArgument(value) {
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 24 ? `${text.slice(0, 21)}...` : text.replace(/"/g, "'");
}
function shareable(value, name, file) {
  if (value === void 0 || value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Unknown || value instanceof Namespace || value instanceof FactoryCall) return value;
  if (Array.isArray(value)) return value.map((item) => shareable(item, name, file));
  if (value instanceof ObjectValue) {
    const copy = new ObjectValue();
    for (const [k, v] of value.props) copy.props.set(k, shareable(v, k, file));
    return copy;
  }
  const foreign = value instanceof FunctionValue ? { file, name: value.name } : void 0;
  return new Unknown(name, `\`${name}\` is a function or model of another file; it is analysed there`, void 0, foreign);
}
function copyProps(from, to) {
  for (const [key, value] of from.props) {
    to.props.set(key, value);
    const range = from.ranges.get(key);
    if (range) to.ranges.set(key, range);
    else to.ranges.delete(key);
  }
}
function inferredFunctionName(ts, node) {
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "anonymous";
}
function skipOuterExpressions(ts, node) {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current) || ts.isSatisfiesExpression(current)) {
    current = current.expression;
  }
  return current;
}
function isPrimitive(value) {
  return value === null || value === void 0 || typeof value === "number" || typeof value === "string" || typeof value === "boolean";
}
function truthy(value) {
  if (value instanceof Unknown) return void 0;
  if (isPrimitive(value)) return Boolean(value);
  return true;
}
function toNumber(value) {
  if (typeof value === "number") return value;
  if (typeof value === "string" || typeof value === "boolean" || value === null) return Number(value);
  return new Unknown("Number(...)", "argument is not a constant");
}
function toPropertyKey(value) {
  return typeof value === "string" || typeof value === "number" ? String(value) : void 0;
}
function accessChain(text) {
  const compact = text.replace(/\s+/g, "");
  return /^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(compact) ? compact.replace(/\?\./g, ".") : void 0;
}
function unknownReason(value, text) {
  return value instanceof Unknown ? value.reason : `\`${text}\` is not a constant`;
}
function strictEquals(a, b) {
  if (a instanceof Unknown || b instanceof Unknown) return void 0;
  return a === b;
}
function stringMethod(text, key, args) {
  const [a, b] = args;
  switch (key) {
    case "toUpperCase":
      return text.toUpperCase();
    case "toLowerCase":
      return text.toLowerCase();
    case "trim":
      return text.trim();
    case "startsWith":
      return typeof a === "string" ? text.startsWith(a) : void 0;
    case "endsWith":
      return typeof a === "string" ? text.endsWith(a) : void 0;
    case "includes":
      return typeof a === "string" ? text.includes(a) : void 0;
    case "split":
      return typeof a === "string" ? text.split(a) : void 0;
    case "repeat":
      return typeof a === "number" && a >= 0 && a < 1e4 ? text.repeat(a) : void 0;
    case "slice":
    case "substring":
      return text[key](typeof a === "number" ? a : 0, typeof b === "number" ? b : void 0);
  }
  return void 0;
}
var NOT_CONSTANT = /* @__PURE__ */ Symbol("not constant");
var compoundAssignments;
function COMPOUND_ASSIGNMENT(ts) {
  const k = ts.SyntaxKind;
  compoundAssignments ??= /* @__PURE__ */ new Map([
    [k.PlusEqualsToken, k.PlusToken],
    [k.MinusEqualsToken, k.MinusToken],
    [k.AsteriskEqualsToken, k.AsteriskToken],
    [k.SlashEqualsToken, k.SlashToken],
    [k.PercentEqualsToken, k.PercentToken],
    [k.AsteriskAsteriskEqualsToken, k.AsteriskAsteriskToken],
    [k.LessThanLessThanEqualsToken, k.LessThanLessThanToken],
    [k.GreaterThanGreaterThanEqualsToken, k.GreaterThanGreaterThanToken],
    [k.AmpersandEqualsToken, k.AmpersandToken],
    [k.BarEqualsToken, k.BarToken]
  ]);
  return compoundAssignments;
}
function binaryOp(ts, op, left, right) {
  const k = ts.SyntaxKind;
  if (op === k.EqualsEqualsEqualsToken || op === k.ExclamationEqualsEqualsToken || op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) {
    const equal2 = strictEquals(left, right);
    if (equal2 === void 0) return NOT_CONSTANT;
    const loose = (op === k.EqualsEqualsToken || op === k.ExclamationEqualsToken) && isPrimitive(left) && isPrimitive(right) ? left == right : equal2;
    return op === k.EqualsEqualsEqualsToken || op === k.EqualsEqualsToken ? loose : !loose;
  }
  if (op === k.PlusToken && (typeof left === "string" || typeof right === "string") && isPrimitive(left) && isPrimitive(right)) {
    return String(left) + String(right);
  }
  if (op === k.InstanceOfKeyword || op === k.InKeyword) {
    if (op === k.InKeyword && typeof left === "string" && right instanceof ObjectValue) return right.props.has(left);
    return NOT_CONSTANT;
  }
  if (!isPrimitive(left) || !isPrimitive(right) || left === void 0 && op !== k.PlusToken) return NOT_CONSTANT;
  const a = Number(left);
  const b = Number(right);
  switch (op) {
    case k.PlusToken:
      return a + b;
    case k.MinusToken:
      return a - b;
    case k.AsteriskToken:
      return a * b;
    case k.SlashToken:
      return a / b;
    case k.PercentToken:
      return a % b;
    case k.AsteriskAsteriskToken:
      return a ** b;
    case k.LessThanToken:
      return a < b;
    case k.LessThanEqualsToken:
      return a <= b;
    case k.GreaterThanToken:
      return a > b;
    case k.GreaterThanEqualsToken:
      return a >= b;
    case k.LessThanLessThanToken:
      return a << b;
    case k.GreaterThanGreaterThanToken:
      return a >> b;
    case k.GreaterThanGreaterThanGreaterThanToken:
      return a >>> b;
    case k.AmpersandToken:
      return a & b;
    case k.BarToken:
      return a | b;
    case k.CaretToken:
      return a ^ b;
  }
  return NOT_CONSTANT;
}

// src/core/parse/modules.ts
var import_node_path = require("node:path");
var cache = /* @__PURE__ */ new Map();
var MAX_CACHED_MODULES = 200;
var EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", "/index.ts", "/index.js"];
var ModuleLoader = class _ModuleLoader {
  constructor(ts, readFile, runModule, importer, stack = []) {
    this.ts = ts;
    this.readFile = readFile;
    this.runModule = runModule;
    this.stack = [...stack, (0, import_node_path.resolve)(importer)];
  }
  ts;
  readFile;
  runModule;
  /** Files being read right now, outermost first: an import of one of them is a cycle. */
  stack;
  isRelative(specifier) {
    return specifier.startsWith("./") || specifier.startsWith("../");
  }
  /** The exports of `specifier` as imported from the current file, or why they are unknown. */
  load(specifier) {
    const importer = this.stack[this.stack.length - 1];
    const base = (0, import_node_path.join)((0, import_node_path.dirname)(importer), specifier);
    const candidates = [...EXTENSIONS.map((e) => base + e), .../\.js$/.test(base) ? [".ts", ".tsx"].map((e) => base.replace(/\.js$/, e)) : []];
    for (const path of candidates) {
      if (this.stack.includes(path)) return new Unknown(specifier, `'${specifier}' imports this file back (an import cycle)`);
      const text = this.readFile(path);
      if (text === void 0) continue;
      const cached = cache.get(path);
      if (cached && cached.text === text) return cached.exports;
      const kind = /\.(js|jsx|mjs|cjs)$/.test(path) ? this.ts.ScriptKind.JS : /\.tsx$/.test(path) ? this.ts.ScriptKind.TSX : this.ts.ScriptKind.TS;
      const file = this.ts.createSourceFile(path, text, this.ts.ScriptTarget.Latest, true, kind);
      const exports2 = this.runModule(file, new _ModuleLoader(this.ts, this.readFile, this.runModule, path, this.stack.slice(0, -1).concat(importer)));
      if (cache.size >= MAX_CACHED_MODULES) cache.delete(cache.keys().next().value);
      cache.set(path, { text, exports: exports2 });
      return exports2;
    }
    return new Unknown(specifier, `'${specifier}' was not found next to this file`);
  }
};

// src/core/parse/toGraph.ts
function toConfigValue(value, key, range, report) {
  if (value === void 0) return null;
  if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((item) => toConfigValue(item, key, range, report));
  if (value instanceof ObjectValue) return toConfigObject(value, report, range);
  if (value instanceof FactoryCall) {
    return { $call: value.callee, args: value.args.map((arg) => toConfigValue(arg, key, range, report)) };
  }
  if (value instanceof LayerValue) {
    return { $call: `layers.${value.type}`, args: value.config ? [toConfigObject(value.config, report)] : [] };
  }
  if (value instanceof Unknown) {
    if (range) report(`${key}: \`${value.text}\` is not a constant (${value.reason}).`, range, value.hole ? "info" : "warning");
    return { $unknown: value.text, reason: value.reason, ...value.hole ? { hole: value.hole.name } : {} };
  }
  const what = value instanceof Namespace ? `tf.${value.path.join(".")}` : value instanceof FunctionValue || value instanceof NativeFunction ? "a function" : value instanceof TensorValue ? "a symbolic tensor" : isModel(value) ? "a model" : "a value";
  const reason = `${what} cannot be used as a config value here`;
  if (range) report(`${key}: ${reason}.`, range);
  return { $unknown: what, reason };
}
function toConfigObject(object, report, fallbackRange) {
  const result = {};
  for (const [key, value] of object.props) {
    if (value === void 0) continue;
    result[key] = toConfigValue(value, key, object.ranges.get(key)?.value ?? fallbackRange, report);
  }
  return result;
}
function rangesOf(object) {
  return object ? Object.fromEntries(object.ranges) : {};
}
function toModelGraph(model, name, report) {
  const nodes = model instanceof FunctionalModel ? functionalNodes(model) : sequentialNodes(model.layers);
  const nextId = layerIds();
  const ids = /* @__PURE__ */ new Map();
  const layers = [];
  for (const node of nodes) {
    const layer = node.layer;
    const id = nextId(layer.type, layer.config?.props.get("name"));
    ids.set(node, id);
    if (layer.custom) {
      const standIn = layer.custom.output === "same" ? "an identity stand-in (no weights)" : layer.custom.output === "last" ? `a fixed linear projection to ${layer.custom.lastDim} (not trained)` : void 0;
      report(
        standIn ? `\`${layer.type}\` is a custom layer: the parser does not read its \`call\`; training measures the model with ${standIn} in its place.` : `\`${layer.type}\` is a custom layer whose \`computeOutputShape\` the parser cannot read; write it as \`return inputShape;\` or \`return [inputShape[0], N];\` to train the model.`,
        layer.range,
        standIn ? "info" : "warning"
      );
    } else if (!layer.known) {
      report(`\`layers.${layer.type}\` is not a tfjs layer the parser knows; it is kept as an opaque layer.`, layer.range, "warning");
    }
    const config = layer.config ? toConfigObject(layer.config, report, layer.range) : {};
    const activation = typeof config.activation === "string" ? config.activation : void 0;
    layers.push({
      id,
      type: layer.type,
      known: layer.known,
      config,
      configRanges: rangesOf(layer.config),
      ...layer.config?.literal ? { configRange: layer.config.literal } : {},
      range: layer.range,
      ...layer.iteration ? { iteration: layer.iteration } : {},
      inbound: node.inbound.map((inbound) => ids.get(inbound)),
      ...node.inboundIndex ? { inboundOutputs: node.inboundIndex } : {},
      ...layer.partOf ? { partOf: layer.partOf } : {},
      ...layer.custom ? { custom: layer.custom } : {},
      ...activation !== void 0 ? { activation } : {}
    });
  }
  const idOf = (tensor) => tensor.index === 0 ? ids.get(tensor.node) : void 0;
  const inputs = model instanceof FunctionalModel ? model.inputs.map(idOf).filter((id) => !!id) : layers.length ? [layers[0].id] : [];
  const outputs = model instanceof FunctionalModel ? model.outputs.map(idOf).filter((id) => !!id) : layers.length ? [layers[layers.length - 1].id] : [];
  const holes = [];
  for (const node of nodes) {
    if (node.layer.config) collectHoles(node.layer.config, node.layer.type, ids.get(node), holes);
  }
  if (model.compile?.args) collectHoles(model.compile.args, "compile", "compile", holes);
  const firstInput = layers.find((layer) => layer.id === inputs[0]);
  const inputShape = firstInput ? declaredInputShape(firstInput) : void 0;
  return {
    name,
    kind: model instanceof FunctionalModel ? "functional" : "sequential",
    range: model.range,
    layers,
    inputs,
    outputs,
    ...inputShape ? { inputShape } : {},
    ...model.compile ? { compile: toCompileInfo(model.compile.args, model.compile.range, report) } : {},
    ...holes.length ? { holes } : {}
  };
}
function collectHoles(config, layerType, owner, into) {
  const visit = (value, key, roleKey, index, length) => {
    if (value instanceof Unknown) {
      if (!value.hole) return;
      const role = holeRole(layerType, roleKey, index, length);
      into.push({ name: value.hole.name, role, range: value.hole.range, usedBy: [`${owner}.${key}`], suggestion: holeSuggestion(role, layerType) });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, key, roleKey, i, value.length));
    } else if (value instanceof FactoryCall) {
      for (const arg of value.args) visit(arg, key, "");
    } else if (value instanceof ObjectValue) {
      for (const [inner, item] of value.props) visit(item, key, inner);
    }
  };
  for (const [key, value] of config.props) visit(value, key, key);
}
function toCompileInfo(args, range, report) {
  const value = (key) => args?.props.has(key) ? toConfigValue(args.props.get(key), key, args.ranges.get(key)?.value ?? range, report) : void 0;
  const optimizer = value("optimizer");
  const loss = value("loss");
  const metrics = value("metrics");
  return {
    range,
    configRanges: rangesOf(args),
    ...args?.literal ? { configRange: args.literal } : {},
    ...optimizer !== void 0 ? { optimizer } : {},
    ...loss !== void 0 ? { loss } : {},
    ...metrics !== void 0 ? { metrics } : {}
  };
}
function sequentialNodes(layers) {
  const nodes = [];
  layers.forEach((layer, order) => {
    nodes.push({ layer, inbound: nodes.length ? [nodes[nodes.length - 1]] : [], order });
  });
  return nodes;
}

// src/core/parse/index.ts
var typescript;
function loadTypeScript() {
  typescript ??= { ...require("typescript") };
  return typescript;
}
function scriptKind(ts, fileName) {
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.(jsx)$/i.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.(js|mjs|cjs)$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}
function parseModels(text, fileName = "model.ts", options = {}) {
  const ts = loadTypeScript();
  const problems = [];
  let sourceFile;
  try {
    sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKind(ts, fileName));
  } catch (error) {
    return { models: [], problems: [{ message: `Could not parse the file: ${String(error)}`, range: { start: 0, end: 0 }, severity: "error" }] };
  }
  const syntaxErrors = sourceFile.parseDiagnostics ?? [];
  for (const diagnostic of syntaxErrors.slice(0, 20)) {
    problems.push({
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`,
      range: { start: diagnostic.start, end: diagnostic.start + diagnostic.length },
      severity: "error"
    });
  }
  const loader = options.readFile ? new ModuleLoader(ts, options.readFile, (file, nested) => new Interpreter(ts, file, nested).runModule(), fileName) : void 0;
  const interpreter = new Interpreter(ts, sourceFile, loader, options.set);
  if (options.callSites) interpreter.callSites = options.callSites;
  if (options.setFor) interpreter.presetsFor = options.setFor;
  let result;
  try {
    result = interpreter.run();
  } catch (error) {
    problems.push({
      message: `Gradient Lens could not read this file (internal error: ${error instanceof Error ? error.message : String(error)}).`,
      range: { start: 0, end: 0 },
      severity: "error"
    });
    result = { models: interpreter.models, problems: [] };
  }
  problems.push(...result.problems);
  const reported = new Set(problems.map((p) => `${p.range.start}:${p.message}`));
  const report = (message, range, severity = "warning") => {
    const key = `${range.start}:${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push({ message, range, severity });
  };
  const flowHoles = flowHolesByModel(interpreter.flowHoles);
  const perTemplate = /* @__PURE__ */ new Map();
  for (const model of result.models) {
    if (model.template) perTemplate.set(model.template, (perTemplate.get(model.template) ?? 0) + 1);
  }
  const models = [];
  const usedNames = /* @__PURE__ */ new Map();
  for (const model of result.models) {
    let name = model.name ?? "model";
    if (model.template && model.nameDepth > 0) {
      name = (perTemplate.get(model.template) ?? 0) > 1 ? `${model.template}.${name}` : model.template;
    }
    const seen = usedNames.get(name) ?? 0;
    usedNames.set(name, seen + 1);
    if (seen) name = `${name} (${seen + 1})`;
    try {
      const holderStart = model.annotationHolder?.start ?? topLevelStatementStart(sourceFile, model.range.start);
      const built = toModelGraph(model, name, report);
      const holes = mergeHoles([...built.holes ?? [], ...flowHoles.get(model) ?? []]);
      const graph = {
        ...built,
        ...holes.length ? { holes } : {},
        annotation: annotationSite(text, holderStart, "//"),
        ...model.builder ? { builder: model.builder } : {}
      };
      if (finishGraph(graph, report)) models.push(graph);
    } catch (error) {
      report(`Could not read model \`${name}\` (internal error: ${error instanceof Error ? error.message : String(error)}).`, model.range, "error");
    }
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems };
}
var FLOW_USE = {
  "repeat count": "how many layers a loop adds",
  condition: "which layers are built",
  "layer sizes": "the layers a loop adds"
};
function flowHolesByModel(all) {
  const byModel = /* @__PURE__ */ new Map();
  for (const hole of all) {
    for (const model of hole.models) {
      const list = byModel.get(model) ?? [];
      list.push({ name: hole.name, role: hole.role, range: hole.range, usedBy: [FLOW_USE[hole.role]], suggestion: holeSuggestion(hole.role, "") });
      byModel.set(model, list);
    }
  }
  return byModel;
}
function topLevelStatementStart(file, position) {
  const statements = file.statements;
  let low = 0;
  let high = statements.length - 1;
  while (low <= high) {
    const middle = low + high >> 1;
    const statement = statements[middle];
    if (position < statement.pos) high = middle - 1;
    else if (position >= statement.end) low = middle + 1;
    else return statement.getStart(file);
  }
  return position;
}

// src/core/activations.ts
var ACTIVATION_STAND_INS = /* @__PURE__ */ new Set(["exponential"]);

// src/core/python/evaluator.ts
var import_python = require("@lezer/python");

// src/core/python/kerasApi.ts
var DENSE_TAIL = ["use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"];
var CONV = ["filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation", ...DENSE_TAIL];
var POOL = ["pool_size", "strides", "padding", "data_format"];
var RNN = ["units", "activation", "recurrent_activation", "use_bias"];
function spec(type, ...positional) {
  return { type, positional };
}
var KERAS_LAYERS = {
  InputLayer: spec("inputLayer", "input_shape", "batch_size", "dtype"),
  ELU: spec("elu", "alpha"),
  ReLU: spec("reLU", "max_value", "negative_slope", "threshold"),
  LeakyReLU: spec("leakyReLU", "alpha"),
  PReLU: spec("prelu", "alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"),
  Softmax: spec("softmax", "axis"),
  ThresholdedReLU: spec("thresholdedReLU", "theta"),
  Conv1D: spec("conv1d", ...CONV),
  Conv2D: spec("conv2d", ...CONV),
  Conv3D: spec("conv3d", ...CONV),
  Convolution1D: spec("conv1d", ...CONV),
  Convolution2D: spec("conv2d", ...CONV),
  Convolution3D: spec("conv3d", ...CONV),
  Conv2DTranspose: spec("conv2dTranspose", "filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate", "activation", ...DENSE_TAIL),
  Conv3DTranspose: spec("conv3dTranspose", "filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate", "activation", ...DENSE_TAIL),
  SeparableConv2D: spec("separableConv2d", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier", "activation", "use_bias"),
  DepthwiseConv2D: spec("depthwiseConv2d", "kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate", "activation", "use_bias"),
  Cropping2D: spec("cropping2D", "cropping", "data_format"),
  UpSampling2D: spec("upSampling2d", "size", "data_format", "interpolation"),
  Activation: spec("activation", "activation"),
  Dense: spec("dense", "units", "activation", ...DENSE_TAIL),
  Dropout: spec("dropout", "rate", "noise_shape", "seed"),
  SpatialDropout1D: spec("spatialDropout1d", "rate"),
  Flatten: spec("flatten", "data_format"),
  RepeatVector: spec("repeatVector", "n"),
  Reshape: spec("reshape", "target_shape"),
  Permute: spec("permute", "dims"),
  Embedding: spec("embedding", "input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer", "activity_regularizer", "embeddings_constraint", "mask_zero", "input_length"),
  Add: spec("add"),
  Average: spec("average"),
  Concatenate: spec("concatenate", "axis"),
  Maximum: spec("maximum"),
  Minimum: spec("minimum"),
  Multiply: spec("multiply"),
  Dot: spec("dot", "axes", "normalize"),
  BatchNormalization: spec("batchNormalization", "axis", "momentum", "epsilon", "center", "scale"),
  LayerNormalization: spec("layerNormalization", "axis", "epsilon", "center", "scale"),
  ZeroPadding2D: spec("zeroPadding2d", "padding", "data_format"),
  AveragePooling1D: spec("averagePooling1d", ...POOL),
  AvgPool1D: spec("averagePooling1d", ...POOL),
  AveragePooling2D: spec("averagePooling2d", ...POOL),
  AvgPool2D: spec("averagePooling2d", ...POOL),
  AveragePooling3D: spec("averagePooling3d", ...POOL),
  AvgPool3D: spec("averagePooling3d", ...POOL),
  GlobalAveragePooling1D: spec("globalAveragePooling1d", "data_format"),
  GlobalAvgPool1D: spec("globalAveragePooling1d", "data_format"),
  GlobalAveragePooling2D: spec("globalAveragePooling2d", "data_format"),
  GlobalAvgPool2D: spec("globalAveragePooling2d", "data_format"),
  GlobalMaxPooling1D: spec("globalMaxPooling1d", "data_format"),
  GlobalMaxPool1D: spec("globalMaxPooling1d", "data_format"),
  GlobalMaxPooling2D: spec("globalMaxPooling2d", "data_format"),
  GlobalMaxPool2D: spec("globalMaxPooling2d", "data_format"),
  MaxPooling1D: spec("maxPooling1d", ...POOL),
  MaxPool1D: spec("maxPooling1d", ...POOL),
  MaxPooling2D: spec("maxPooling2d", ...POOL),
  MaxPool2D: spec("maxPooling2d", ...POOL),
  MaxPooling3D: spec("maxPooling3d", ...POOL),
  MaxPool3D: spec("maxPooling3d", ...POOL),
  GRU: spec("gru", ...RNN),
  GRUCell: spec("gruCell", ...RNN),
  LSTM: spec("lstm", ...RNN),
  LSTMCell: spec("lstmCell", ...RNN),
  SimpleRNN: spec("simpleRNN", "units", "activation", "use_bias"),
  SimpleRNNCell: spec("simpleRNNCell", "units", "activation", "use_bias"),
  ConvLSTM2D: spec("convLstm2d", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "recurrent_activation"),
  ConvLSTM2DCell: spec("convLstm2dCell", "filters", "kernel_size"),
  RNN: spec("rnn", "cell", "return_sequences", "return_state", "go_backwards", "stateful", "unroll"),
  StackedRNNCells: spec("stackedRNNCells", "cells"),
  Bidirectional: spec("bidirectional", "layer", "merge_mode"),
  TimeDistributed: spec("timeDistributed", "layer"),
  GaussianNoise: spec("gaussianNoise", "stddev"),
  GaussianDropout: spec("gaussianDropout", "rate"),
  AlphaDropout: spec("alphaDropout", "rate", "noise_shape"),
  Masking: spec("masking", "mask_value"),
  Rescaling: spec("rescaling", "scale", "offset"),
  CenterCrop: spec("centerCrop", "height", "width"),
  Resizing: spec("resizing", "height", "width", "interpolation"),
  CategoryEncoding: spec("categoryEncoding", "num_tokens", "output_mode"),
  RandomWidth: spec("randomWidth", "factor", "interpolation", "seed")
};
var MERGE_FUNCTIONS = {
  add: "add",
  average: "average",
  concatenate: "concatenate",
  maximum: "maximum",
  minimum: "minimum",
  multiply: "multiply",
  dot: "dot"
};
var KEY_RENAMES = {
  "*": { dims: "dims" },
  // Keras 3 spells the input layer's shape `shape`; tfjs' inputLayer reads `inputShape`.
  inputLayer: { shape: "inputShape" },
  // Keras 3 renamed `alpha` to `negative_slope`; tfjs kept `alpha`.
  leakyReLU: { negative_slope: "alpha" }
};
function camelCase(name) {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c) => c.toUpperCase());
}
function tfjsKey(type, pythonName) {
  return KEY_RENAMES[type]?.[pythonName] ?? KEY_RENAMES["*"]?.[pythonName] ?? camelCase(pythonName);
}
var ACTIVATIONS = {
  relu: "relu",
  sigmoid: "sigmoid",
  tanh: "tanh",
  softmax: "softmax",
  elu: "elu",
  selu: "selu",
  linear: "linear",
  softplus: "softplus",
  softsign: "softsign",
  hard_sigmoid: "hardSigmoid",
  swish: "swish",
  silu: "swish",
  gelu: "gelu",
  relu6: "relu6",
  mish: "mish"
};
var INITIALIZERS = {
  zeros: "zeros",
  zero: "zeros",
  ones: "ones",
  one: "ones",
  constant: "constant",
  randomnormal: "randomNormal",
  normal: "randomNormal",
  randomuniform: "randomUniform",
  uniform: "randomUniform",
  truncatednormal: "truncatedNormal",
  variancescaling: "varianceScaling",
  orthogonal: "orthogonal",
  identity: "identity",
  glorotnormal: "glorotNormal",
  glorotuniform: "glorotUniform",
  henormal: "heNormal",
  heuniform: "heUniform",
  lecunnormal: "leCunNormal",
  lecununiform: "leCunUniform",
  xaviernormal: "glorotNormal",
  xavieruniform: "glorotUniform"
};
var squash = (name) => name.replace(/_/g, "").toLowerCase();
function tfjsInitializer(name) {
  return INITIALIZERS[squash(name)];
}
function tfjsRegularizer(name) {
  return { l1: "l1", l2: "l2", l1l2: "l1l2" }[squash(name)];
}
function tfjsConstraint(name) {
  return { maxnorm: "maxNorm", nonneg: "nonNeg", unitnorm: "unitNorm", minmaxnorm: "minMaxNorm" }[squash(name)];
}
function tfjsEnumValue(key, value) {
  if (key === "dataFormat" || key === "mode") return camelCase(value);
  if (key === "distribution") return value === "uniform" ? "uniform" : "normal";
  return value;
}
var OPTIMIZERS = {
  sgd: { factory: "sgd", params: [["learning_rate", 0.01]] },
  adam: { factory: "adam", params: [["learning_rate", 1e-3], ["beta_1", 0.9], ["beta_2", 0.999], ["epsilon", 1e-7]] },
  rmsprop: { factory: "rmsprop", params: [["learning_rate", 1e-3], ["rho", 0.9], ["momentum", 0], ["epsilon", 1e-7], ["centered", false]] },
  adagrad: { factory: "adagrad", params: [["learning_rate", 1e-3], ["initial_accumulator_value", 0.1]] },
  adadelta: { factory: "adadelta", params: [["learning_rate", 1e-3], ["rho", 0.95], ["epsilon", 1e-7]] },
  adamax: { factory: "adamax", params: [["learning_rate", 1e-3], ["beta_1", 0.9], ["beta_2", 0.999], ["epsilon", 1e-7]] }
};
var OPTIMIZER_NAMES = /* @__PURE__ */ new Set(["sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamax"]);
var LOSSES = {
  categoricalcrossentropy: "categoricalCrossentropy",
  binarycrossentropy: "binaryCrossentropy",
  sparsecategoricalcrossentropy: "sparseCategoricalCrossentropy",
  mse: "meanSquaredError",
  meansquarederror: "meanSquaredError",
  mae: "meanAbsoluteError",
  meanabsoluteerror: "meanAbsoluteError",
  mape: "meanAbsolutePercentageError",
  meanabsolutepercentageerror: "meanAbsolutePercentageError",
  msle: "meanSquaredLogarithmicError",
  meansquaredlogarithmicerror: "meanSquaredLogarithmicError",
  hinge: "hinge",
  squaredhinge: "squaredHinge",
  categoricalhinge: "categoricalHinge",
  logcosh: "logcosh",
  poisson: "poisson",
  kld: "kullbackLeiblerDivergence",
  kldivergence: "kullbackLeiblerDivergence",
  kullbackleiblerdivergence: "kullbackLeiblerDivergence",
  cosinesimilarity: "cosineProximity",
  cosineproximity: "cosineProximity"
};
function tfjsLoss(name) {
  return LOSSES[squash(name)];
}
function tfjsMetric(name) {
  if (["acc", "accuracy"].includes(name.toLowerCase())) return "accuracy";
  return tfjsLoss(name) ?? name;
}

// src/core/python/evaluator.ts
var Unknown2 = class {
  constructor(text, reason, hole) {
    this.text = text;
    this.reason = reason;
    this.hole = hole;
  }
  text;
  reason;
  hole;
};
var PyModule = class {
  constructor(path) {
    this.path = path;
  }
  path;
};
var PyDict = class {
  items = /* @__PURE__ */ new Map();
};
var PyFunction = class {
  constructor(node, name, scope, params) {
    this.node = node;
    this.name = name;
    this.scope = scope;
    this.params = params;
  }
  node;
  name;
  scope;
  params;
};
var Builtin = class {
  constructor(name, call) {
    this.name = name;
    this.call = call;
  }
  name;
  call;
};
var BoundMethod = class {
  constructor(self, name) {
    this.self = self;
    this.name = name;
  }
  self;
  name;
};
var ClassValue = class {
  constructor(name, keras) {
    this.name = name;
    this.keras = keras;
  }
  name;
  keras;
};
var ConfigResult = class {
  constructor(kind, value) {
    this.kind = kind;
    this.value = value;
  }
  kind;
  value;
};
var LayerValue2 = class _LayerValue {
  constructor(type, known2, config, configRanges, configRange, range, iteration, partOf) {
    this.type = type;
    this.known = known2;
    this.config = config;
    this.configRanges = configRanges;
    this.configRange = configRange;
    this.range = range;
    this.iteration = iteration;
    this.partOf = partOf;
  }
  type;
  known;
  config;
  configRanges;
  configRange;
  range;
  iteration;
  partOf;
  inlined(model) {
    return new _LayerValue(this.type, this.known, this.config, this.configRanges, this.configRange, this.range, this.iteration, this.partOf ?? model);
  }
};
var TensorValue2 = class {
  constructor(node, index = 0) {
    this.node = node;
    this.index = index;
  }
  node;
  index;
};
var SequentialModel2 = class {
  constructor(range) {
    this.range = range;
  }
  range;
  layers = [];
  compile;
  name;
  nameDepth = Infinity;
  template;
};
var FunctionalModel2 = class {
  constructor(range, inputs, outputs) {
    this.range = range;
    this.inputs = inputs;
    this.outputs = outputs;
  }
  range;
  inputs;
  outputs;
  compile;
  name;
  nameDepth = Infinity;
  template;
};
var Scope2 = class {
  constructor(parent) {
    this.parent = parent;
  }
  parent;
  vars = /* @__PURE__ */ new Map();
  lookup(name) {
    for (let s = this; s; s = s.parent) if (s.vars.has(name)) return { value: s.vars.get(name) };
    return void 0;
  }
};
var BudgetExceeded2 = class extends Error {
};
var MAX_STEPS2 = 3e5;
var MAX_LOOP = 1e4;
var MAX_DEPTH = 40;
var ANNOTATION2 = /^\s*#+\s*gradient-lens:\s*(.*?)\s*$/;
var rangeOf = (node) => ({ start: node.from, end: node.to });
function kids(node) {
  const out = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== "Comment") out.push(c);
  return out;
}
function pyNumber(raw) {
  const t = raw.replace(/_/g, "");
  if (/[jJlL]$/.test(t)) return void 0;
  const n = /^0[oO]/.test(t) ? parseInt(t.slice(2), 8) : Number(t);
  return Number.isNaN(n) ? void 0 : n;
}
var ESCAPES = { n: "\n", t: "	", r: "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"', "\n": "" };
function pyString(raw) {
  const m = /^([a-zA-Z]{0,2})('''|"""|'|")/.exec(raw);
  if (!m) return raw;
  const quote = m[2];
  const end = raw.length >= m[0].length + quote.length && raw.endsWith(quote) ? raw.length - quote.length : raw.length;
  const body = raw.slice(m[0].length, end);
  if (m[1].toLowerCase().includes("r")) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\s\S])/g, (all, e) => e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e] ?? all);
}
function isTrailingDotFloat(error) {
  const parent = error.parent;
  return error.from === error.to && parent?.name === "MemberExpression" && parent.firstChild?.name === "Number" && error.prevSibling?.name === ".";
}
function isPrimitive2(v) {
  return v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean";
}
function truthy2(v) {
  if (v instanceof Unknown2) return void 0;
  if (v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyDict) return v.items.size > 0;
  return true;
}
function equal(a, b) {
  if (a instanceof Unknown2 || b instanceof Unknown2) return void 0;
  if (isPrimitive2(a) || isPrimitive2(b)) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    let all = true;
    a.forEach((x, i) => {
      const e = equal(x, b[i]);
      if (e === false) all = false;
      else if (e === void 0 && all) all = void 0;
    });
    return all;
  }
  return a === b;
}
function describe(v) {
  if (v instanceof TensorValue2) return "a symbolic tensor";
  if (v instanceof SequentialModel2 || v instanceof FunctionalModel2) return "a model";
  if (v instanceof PyFunction || v instanceof Builtin || v instanceof BoundMethod) return "a function";
  if (v instanceof ClassValue) return "a class";
  if (v instanceof PyModule) return `\`${v.path.join(".")}\``;
  return "a value";
}
function kerasPath(path) {
  let p = path;
  if (p[0] === "tensorflow") {
    if (p[1] === "keras") p = p.slice(2);
    else if (p[1] === "python" && p[2] === "keras") p = p.slice(3);
    else return void 0;
  } else if (p[0] === "keras" || p[0] === "tf_keras") p = p.slice(1);
  else return void 0;
  if (p[0] === "src" || p[0] === "api") p = p.slice(1);
  return p;
}
function activationOfPath(path) {
  const k = kerasPath(path);
  if (k && k[0] === "activations" && k.length === 2) return k[1];
  if (path[0] === "tensorflow" && (path[1] === "nn" || path[1] === "math" || path.length === 2)) return path[path.length - 1];
  return void 0;
}
var KERAS_BASES = /* @__PURE__ */ new Set(["Model", "Layer", "Sequential"]);
var KERAS_MEMBERS = /* @__PURE__ */ new Set([
  "Input",
  "Sequential",
  "Model",
  "layers",
  "models",
  "optimizers",
  "initializers",
  "regularizers",
  "constraints",
  "losses",
  "metrics",
  "activations"
]);
var Evaluator = class {
  constructor(text, options = {}) {
    this.text = text;
    this.options = options;
    this.src = text;
    this.installBuiltins();
  }
  text;
  options;
  problems = [];
  models = [];
  /** Where each named hole comes from (a parameter's declaration, a data access). */
  holeRanges = /* @__PURE__ */ new Map();
  /** Unknown loop counts and lists that decided how many layers a model got. */
  flowHoles = [];
  layersMade = 0;
  templateRuns = [];
  problemKeys = /* @__PURE__ */ new Set();
  src;
  steps = 0;
  depth = 0;
  nodeOrder = 0;
  iterations = [];
  /** Functions called so far, by start offset: lezer makes a new node object per access. */
  calledFunctions = /* @__PURE__ */ new Set();
  callsOfRun;
  starImports = [];
  builtins = /* @__PURE__ */ new Map();
  /** Values by name or access chain: `set`, module-level annotations, then a template's own. */
  fileFills = /* @__PURE__ */ new Map();
  templateFills;
  moduleScope = new Scope2();
  pendingFills = /* @__PURE__ */ new Map();
  top;
  // ----- problems
  problem(message, range, severity = "warning") {
    const key = `${range.start}:${message}`;
    if (this.problemKeys.has(key)) return;
    this.problemKeys.add(key);
    this.problems.push({ message, range, severity });
  }
  dropProblemsFrom(index) {
    for (const p of this.problems.splice(index)) this.problemKeys.delete(`${p.range.start}:${p.message}`);
  }
  t(node) {
    return this.src.slice(node.from, node.to);
  }
  step() {
    if (++this.steps > MAX_STEPS2) throw new BudgetExceeded2();
  }
  // ----- entry
  run() {
    const tree = import_python.parser.parse(this.text);
    const top = tree.topNode;
    this.top = top;
    this.reportSyntaxErrors(top);
    this.moduleScope = new Scope2();
    this.moduleScope.vars.set("__name__", "__main__");
    this.collectFileFills(top);
    try {
      this.execBlock(kids(top), this.moduleScope);
      this.runTemplates(top);
    } catch (error) {
      if (!(error instanceof BudgetExceeded2)) throw error;
      this.problem("The file takes too many steps to evaluate (a very long loop?); models found so far are kept.", { start: 0, end: 0 }, "info");
    }
  }
  reportSyntaxErrors(top) {
    let count = 0;
    const cursor = top.cursor();
    do {
      if (cursor.type.isError && count < 20 && !isTrailingDotFloat(cursor.node)) {
        count++;
        const end = Math.max(cursor.to, Math.min(cursor.from + 1, this.text.length));
        this.problem("Syntax error: the Python here could not be parsed; the rest of the file is still read.", { start: cursor.from, end }, "error");
      }
    } while (cursor.next());
  }
  // ----- annotations and fills
  /** `input_dim=13, model_type="cnn"` -> values, evaluated in the module scope. */
  parseFills(entriesText, at) {
    const out = /* @__PURE__ */ new Map();
    const starts = [...entriesText.matchAll(/([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)\s*=(?!=)/g)];
    starts.forEach((match, i) => {
      const end = i + 1 < starts.length ? starts[i + 1].index : entriesText.length;
      const expression = entriesText.slice(match.index + match[0].length, end).trim().replace(/,\s*$/, "");
      const value = this.evalForeign(expression);
      if (value === void 0) {
        this.problem(`Annotation value of \`${match[1]}\` is not an expression: ${expression}`, at, "warning");
        return;
      }
      out.set(match[1], value);
    });
    return out;
  }
  /** Evaluates expression text from outside the file (an annotation, `set`). */
  evalForeign(expression) {
    const tree = import_python.parser.parse(expression);
    const statement = kids(tree.topNode)[0];
    let bad = false;
    tree.iterate({ enter: (n) => {
      if (n.type.isError) bad = true;
    } });
    if (!statement || statement.name !== "ExpressionStatement" || bad || !expression.trim()) return void 0;
    const saved = this.src;
    this.src = expression;
    try {
      return this.eval(kids(statement)[0], this.moduleScope);
    } finally {
      this.src = saved;
    }
  }
  /** Comments right above `node` (blank lines allowed between comments only). */
  annotationAbove(node) {
    for (let prev = node.prevSibling; prev && prev.name === "Comment"; prev = prev.prevSibling) {
      const between = this.text.slice(prev.to, node.from);
      if ((between.match(/\n/g) ?? []).length > 1 && prev.nextSibling === node) return void 0;
      const match = ANNOTATION2.exec(this.t(prev));
      if (match) return { entries: match[1], range: rangeOf(prev) };
    }
    return void 0;
  }
  collectFileFills(top) {
    const set = Object.entries(this.options.set ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
    for (const statement of kids(top)) {
      if (statement.name === "FunctionDefinition" || statement.name === "DecoratedStatement" || statement.name === "ClassDefinition") continue;
      const annotation = this.annotationAbove(statement);
      if (annotation) this.pendingFills.set(statement.from, annotation);
    }
    if (set) for (const [k, v] of this.parseFills(set, { start: 0, end: 0 })) this.fileFills.set(k, v);
  }
  fillFor(chain) {
    if (this.templateFills?.has(chain)) return { value: this.templateFills.get(chain) };
    if (this.fileFills.has(chain)) return { value: this.fileFills.get(chain) };
    return void 0;
  }
  // ----- statements
  execBlock(statements, scope) {
    for (const statement of statements) {
      const pending = scope === this.moduleScope ? this.pendingFills.get(statement.from) : void 0;
      if (pending) {
        for (const [k, v] of this.parseFills(pending.entries, pending.range)) if (!this.fileFills.has(k)) this.fileFills.set(k, v);
      }
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return void 0;
  }
  execBody(body, scope) {
    if (!body) return void 0;
    return this.execBlock(kids(body).filter((n) => n.name !== ":"), scope);
  }
  exec(node, scope) {
    this.step();
    switch (node.name) {
      case "ExpressionStatement": {
        const expr = kids(node)[0];
        if (expr) this.eval(expr, scope);
        return void 0;
      }
      case "AssignStatement":
        this.execAssign(node, scope);
        return void 0;
      case "UpdateStatement":
        this.execUpdate(node, scope);
        return void 0;
      case "IfStatement":
        return this.execIf(node, scope);
      case "ForStatement":
        return this.execFor(node, scope);
      case "WhileStatement":
        return this.execWhile(node, scope);
      case "FunctionDefinition":
        this.defineFunction(node, scope);
        return void 0;
      case "DecoratedStatement": {
        const inner = kids(node).find((n) => n.name === "FunctionDefinition" || n.name === "ClassDefinition");
        return inner ? this.exec(inner, scope) : void 0;
      }
      case "ClassDefinition":
        this.defineClass(node, scope);
        return void 0;
      case "ReturnStatement": {
        const parts = kids(node).slice(1).filter((n) => n.name !== ",");
        const value = parts.length === 0 ? null : parts.length === 1 ? this.eval(parts[0], scope) : parts.map((p) => this.eval(p, scope));
        return { kind: "return", value };
      }
      case "ImportStatement":
        this.execImport(node, scope);
        return void 0;
      case "WithStatement": {
        const parts = kids(node);
        const asIndex = parts.findIndex((n) => n.name === "as");
        if (asIndex >= 0 && parts[asIndex + 1]?.name === "VariableName") scope.vars.set(this.t(parts[asIndex + 1]), new Unknown2(this.t(parts[asIndex + 1]), "bound by `with`"));
        return this.execBody(parts.find((n) => n.name === "Body"), scope);
      }
      case "TryStatement": {
        const bodies = kids(node);
        const completion = this.execBody(bodies.find((n) => n.name === "Body"), scope);
        const finallyIndex = bodies.findIndex((n) => n.name === "finally");
        if (finallyIndex >= 0) this.execBody(bodies[finallyIndex + 1], scope);
        return completion?.kind === "raise" ? void 0 : completion;
      }
      case "BreakStatement":
        return { kind: "break" };
      case "ContinueStatement":
        return { kind: "continue" };
      case "RaiseStatement":
        return { kind: "raise" };
      default:
        return void 0;
    }
  }
  /** `a = b = value`, `a, b = 1, 2`, `x: int = 5`. */
  execAssign(node, scope) {
    const groups = [[]];
    for (const child of kids(node)) {
      if (child.name === "AssignOp") groups.push([]);
      else if (child.name !== "TypeDef") groups[groups.length - 1].push(child);
    }
    if (groups.length < 2) return;
    const valueGroup = groups.pop();
    const items = valueGroup.filter((n) => n.name !== ",");
    if (items.length === 0) return;
    const value = items.length === 1 && !valueGroup.some((n) => n.name === ",") ? this.eval(items[0], scope) : items.map((n) => this.eval(n, scope));
    for (const group of groups) {
      const targets = group.filter((n) => n.name !== ",");
      if (targets.length === 1 && !group.some((n) => n.name === ",")) this.assign(targets[0], value, scope);
      else this.assignTuple(targets, value, scope);
    }
  }
  assignTuple(targets, value, scope) {
    const starIndex = targets.findIndex((n) => n.name === "*");
    targets.forEach((target, i) => {
      if (target.name === "*") return;
      let item;
      if (Array.isArray(value)) {
        if (starIndex >= 0 && i === starIndex + 1) item = value.slice(starIndex, value.length - (targets.length - i - 1));
        else item = value[starIndex >= 0 && i > starIndex ? value.length - (targets.length - i) : i] ?? new Unknown2(this.t(target), "too few values to unpack");
      } else {
        item = new Unknown2(this.t(target), value instanceof Unknown2 ? value.reason : `unpacking ${describe(value)} is not evaluated`);
      }
      this.assign(target, item, scope);
    });
  }
  assign(target, value, scope) {
    switch (target.name) {
      case "VariableName": {
        const name = this.t(target);
        scope.vars.set(name, value);
        if (value instanceof SequentialModel2 || value instanceof FunctionalModel2) {
          if (this.depth < value.nameDepth) {
            value.name = name;
            value.nameDepth = this.depth;
          }
        }
        return;
      }
      case "TupleExpression":
      case "ArrayExpression":
      case "ParenthesizedExpression":
        this.assignTuple(kids(target).filter((n) => !["(", ")", "[", "]", ","].includes(n.name)), value, scope);
        return;
      case "MemberExpression": {
        const parts = kids(target);
        if (parts[1]?.name !== "[") return;
        const object = this.eval(parts[0], scope);
        const index = this.eval(parts[2], scope);
        if (Array.isArray(object) && typeof index === "number") {
          const i = index < 0 ? object.length + index : index;
          if (i >= 0 && i < object.length) object[i] = value;
        } else if (object instanceof PyDict && isPrimitive2(index)) object.items.set(String(index), value);
        return;
      }
      default:
        return;
    }
  }
  execUpdate(node, scope) {
    const [target, op, valueNode] = kids(node);
    if (!target || !op || !valueNode) return;
    const current = this.eval(target, scope);
    const operand = this.eval(valueNode, scope);
    if (this.t(op) === "+=" && Array.isArray(current) && Array.isArray(operand)) {
      current.push(...operand);
      return;
    }
    this.assign(target, this.binary(this.t(op).slice(0, -1), current, operand, node), scope);
  }
  execIf(node, scope) {
    const parts = kids(node);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.name === "else") return this.execBody(parts[i + 1], scope);
      if (part.name !== "if" && part.name !== "elif") continue;
      const condNode = parts[i + 1];
      const body = parts[i + 2];
      if (!condNode || body?.name !== "Body") return void 0;
      const value = this.eval(condNode, scope);
      const condition = truthy2(value);
      if (condition === true) return this.execBody(body, scope);
      if (condition === void 0) {
        const statements = kids(body).filter((n) => n.name !== ":");
        if (statements.length === 1 && statements[0].name === "RaiseStatement") continue;
        this.problem(`Condition \`${this.t(condNode)}\` is not a constant; read the first branch only.`, rangeOf(condNode), "info");
        const layersBefore = this.layersMade;
        const completion = this.execBody(body, scope);
        if (value instanceof Unknown2 && value.hole) this.noteFlowHole(value.hole, "condition", layersBefore);
        return completion;
      }
      i += 2;
    }
    return void 0;
  }
  execFor(node, scope) {
    const parts = kids(node);
    const inIndex = parts.findIndex((n) => n.name === "in");
    const targets = parts.slice(1, inIndex).filter((n) => n.name !== ",");
    const iterNode = parts[inIndex + 1];
    const body = parts.find((n) => n.name === "Body");
    if (inIndex < 0 || !iterNode || !body) return void 0;
    const iterable = this.eval(iterNode, scope);
    const items = this.iterate(iterable, iterNode);
    const layersBefore = this.layersMade;
    const flowHole = !Array.isArray(iterable) && iterable instanceof Unknown2 && iterable.hole ? iterable.hole : void 0;
    const flowRole = iterNode.name === "CallExpression" && this.t(iterNode).startsWith("range(") ? "repeat count" : "layer sizes";
    const bind = (item) => {
      if (targets.length === 1) this.assign(targets[0], item, scope);
      else this.assignTuple(targets, item, scope);
    };
    for (let i = 0; i < items.length; i++) {
      bind(items[i]);
      this.iterations.push(i);
      let completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === "break") break;
      if (completion?.kind === "return" || completion?.kind === "raise") {
        this.noteFlowHole(flowHole, flowRole, layersBefore);
        return completion;
      }
    }
    this.noteFlowHole(flowHole, flowRole, layersBefore);
    const elseIndex = parts.findIndex((n) => n.name === "else");
    return elseIndex >= 0 ? this.execBody(parts[elseIndex + 1], scope) : void 0;
  }
  noteFlowHole(name, role, layersBefore) {
    const model = this.models[this.models.length - 1];
    if (!name || this.layersMade === layersBefore || !model) return;
    this.flowHoles.push({ name, role, model });
  }
  /** The items of an iterable; an unknown one is read once with an unknown item. */
  iterate(value, at) {
    if (Array.isArray(value)) return value.slice(0, MAX_LOOP);
    if (typeof value === "string") return [...value];
    if (value instanceof PyDict) return [...value.items.keys()];
    const reason = value instanceof Unknown2 ? value.reason : `${describe(value)} is not iterable here`;
    this.problem(`Loop over \`${this.t(at)}\` is not a constant (${reason}); its body is read once.`, rangeOf(at), "info");
    return [new Unknown2(`element of ${this.t(at)}`, reason, value instanceof Unknown2 ? value.hole : void 0)];
  }
  execWhile(node, scope) {
    const parts = kids(node);
    const condNode = parts[1];
    const body = parts.find((n) => n.name === "Body");
    if (!condNode || !body) return void 0;
    for (let i = 0; i < MAX_LOOP; i++) {
      const condition = truthy2(this.eval(condNode, scope));
      if (condition === void 0) {
        this.problem(`Loop condition \`${this.t(condNode)}\` is not a constant; the loop is not followed.`, rangeOf(condNode), "info");
        return void 0;
      }
      if (!condition) return void 0;
      this.iterations.push(i);
      let completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === "break") return void 0;
      if (completion?.kind === "return" || completion?.kind === "raise") return completion;
    }
    return void 0;
  }
  execImport(node, scope) {
    const parts = kids(node);
    const bindModule = (path, alias) => {
      const api2 = path[0] === "tensorflow" || path[0] === "keras" || path[0] === "tf_keras";
      const bound = alias ? path : path.slice(0, 1);
      scope.vars.set(alias ?? path[0], api2 ? new PyModule(bound) : new Unknown2(alias ?? path[0], `module \`${path.join(".")}\` is not read`));
    };
    if (parts[0]?.name === "import") {
      let path = [];
      for (let i = 1; i < parts.length; i++) {
        const p = parts[i];
        if (p.name === "VariableName") path.push(this.t(p));
        else if (p.name === "as") {
          bindModule(path, parts[i + 1] ? this.t(parts[i + 1]) : void 0);
          path = [];
          i++;
        } else if (p.name === ",") {
          if (path.length) bindModule(path, void 0);
          path = [];
        }
      }
      if (path.length) bindModule(path, void 0);
      return;
    }
    const importIndex = parts.findIndex((n) => n.name === "import");
    if (importIndex < 0) return;
    const from = parts.slice(1, importIndex).filter((n) => n.name === "VariableName").map((n) => this.t(n));
    const relative = parts.slice(1, importIndex).some((n) => n.name === "." && n.from === parts[1].from);
    const api = !relative && (from[0] === "tensorflow" || from[0] === "keras" || from[0] === "tf_keras");
    const names = parts.slice(importIndex + 1);
    for (let i = 0; i < names.length; i++) {
      const n = names[i];
      if (n.name === "*") {
        if (api) this.starImports.push(from);
        continue;
      }
      if (n.name !== "VariableName") continue;
      const name = this.t(n);
      let alias = name;
      if (names[i + 1]?.name === "as" && names[i + 2]) {
        alias = this.t(names[i + 2]);
        i += 2;
      }
      scope.vars.set(alias, api ? new PyModule([...from, name]) : new Unknown2(alias, `imported from \`${from.join(".") || "."}\`, which is not read`, alias));
    }
  }
  defineFunction(node, scope) {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === "VariableName");
    const paramList = parts.find((n) => n.name === "ParamList");
    if (!nameNode || !paramList) return void 0;
    const fn = new PyFunction(node, this.t(nameNode), scope, this.params(paramList));
    scope.vars.set(fn.name, fn);
    return fn;
  }
  params(list) {
    const params = [];
    const parts = kids(list);
    let pendingKind = "normal";
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.name === "*") pendingKind = "star";
      else if (p.name === "**") pendingKind = "kwstar";
      else if (p.name === ",") pendingKind = "normal";
      else if (p.name === "VariableName") {
        let defaultNode;
        let j = i + 1;
        if (parts[j]?.name === "TypeDef") j++;
        if (parts[j]?.name === "AssignOp" && parts[j + 1]) defaultNode = parts[j + 1];
        params.push({ name: this.t(p), range: rangeOf(p), kind: pendingKind, ...defaultNode ? { defaultNode } : {} });
        i = defaultNode ? j + 1 : j - 1;
        pendingKind = "normal";
      }
    }
    return params;
  }
  defineClass(node, scope) {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === "VariableName");
    if (!nameNode) return;
    const name = this.t(nameNode);
    const bases = parts.find((n) => n.name === "ArgList");
    let keras = false;
    if (bases) {
      for (const base of kids(bases)) {
        if (base.name === "(" || base.name === ")" || base.name === ",") continue;
        const value = this.eval(base, scope);
        const path = value instanceof PyModule ? kerasPath(value.path) : void 0;
        if (path && KERAS_BASES.has(path[path.length - 1]) || value instanceof ClassValue && value.keras) keras = true;
      }
    }
    if (keras) {
      this.problem(`Subclassed Keras class \`${name}\` is not supported: its layers are wired in Python code (\`call\`) that Gradient Lens does not follow. Build it with \`Sequential\` or the functional API to analyze it.`, { start: node.from, end: bases ? bases.to : nameNode.to }, "warning");
    }
    scope.vars.set(name, new ClassValue(name, keras));
  }
  // ----- expressions
  eval(node, scope) {
    this.step();
    switch (node.name) {
      case "Number":
        return pyNumber(this.t(node)) ?? new Unknown2(this.t(node), "complex numbers are not supported");
      case "String":
        return pyString(this.t(node));
      case "ContinuedString":
        return kids(node).map((s) => s.name === "String" ? pyString(this.t(s)) : "").join("");
      case "FormatString":
        return this.formatString(node, scope);
      case "None":
        return null;
      case "Boolean":
        return this.t(node) === "True";
      case "VariableName":
        return this.lookup(this.t(node), scope);
      case "MemberExpression":
        return this.member(node, scope);
      case "ParenthesizedExpression": {
        const inner = kids(node).find((n) => n.name !== "(" && n.name !== ")");
        return inner ? this.eval(inner, scope) : [];
      }
      case "TupleExpression":
      case "ArrayExpression":
      case "SetExpression":
        return this.sequence(kids(node).slice(1, -1), scope);
      case "ArrayComprehensionExpression":
      case "SetComprehensionExpression":
      case "ComprehensionExpression":
        return this.comprehension(kids(node).slice(1, -1), scope);
      case "DictionaryExpression":
        return this.dict(node, scope);
      case "UnaryExpression":
        return this.unary(node, scope);
      case "BinaryExpression":
        return this.binaryExpression(node, scope);
      case "ConditionalExpression": {
        const [a, , c, , b] = kids(node);
        if (!a || !c || !b) return new Unknown2(this.t(node), "incomplete expression");
        const cond = truthy2(this.eval(c, scope));
        if (cond === void 0) return new Unknown2(this.t(node), `condition \`${this.t(c)}\` is not a constant`);
        return this.eval(cond ? a : b, scope);
      }
      case "CallExpression":
        return this.call(node, scope);
      case "LambdaExpression":
        return new Unknown2(this.t(node), "lambdas are not evaluated");
      default:
        return new Unknown2(this.t(node), node.type.isError ? "syntax error" : "this kind of expression is not evaluated");
    }
  }
  lookup(name, scope) {
    const found = scope.lookup(name);
    if (found) {
      const v = found.value;
      if (v instanceof Unknown2 && v.hole === name) return this.fillFor(name)?.value ?? v;
      return v;
    }
    const fill = this.fillFor(name);
    if (fill) return fill.value;
    const builtin = this.builtins.get(name);
    if (builtin !== void 0) return builtin;
    for (const from of this.starImports) {
      const path = kerasPath([...from, name]);
      if (path && (KERAS_LAYERS[name] || MERGE_FUNCTIONS[name] || KERAS_MEMBERS.has(name) || path[0] === "layers" && /^[A-Z]/.test(name))) return new PyModule([...from, name]);
    }
    if (KERAS_LAYERS[name] || name === "Sequential" || name === "Input") return new PyModule(["keras", name === "Sequential" ? "models" : "layers", name]);
    return new Unknown2(name, `\`${name}\` is not defined in this file`);
  }
  /** `a.b.c` / `a[1]` as text when it is a plain access chain (a fillable hole name). */
  chainText(node) {
    const text = this.t(node).replace(/\s+/g, "");
    return /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[-?\d+\])*$/.test(text) ? text : void 0;
  }
  member(node, scope) {
    const parts = kids(node);
    const objectNode = parts[0];
    if (!objectNode) return new Unknown2(this.t(node), "incomplete expression");
    const chain = this.chainText(node);
    const fill = chain ? this.fillFor(chain) : void 0;
    if (fill) return fill.value;
    const trailingDotFloat = objectNode.name === "Number" && parts[1]?.name === "." && (!parts[2] || parts[2].type.isError || /^[eE]\d+$/.test(this.t(parts[2])));
    if (trailingDotFloat) return pyNumber(this.t(node).replace(/\.$/, "")) ?? new Unknown2(this.t(node), "malformed number");
    const object = this.eval(objectNode, scope);
    const unknown = (reason, hole) => {
      if (chain && !this.holeRanges.has(chain)) this.holeRanges.set(chain, rangeOf(node));
      return new Unknown2(this.t(node), reason, chain ?? hole);
    };
    if (parts[1]?.name === ".") {
      const prop = parts[2] ? this.t(parts[2]) : "";
      if (object instanceof PyModule) return new PyModule([...object.path, prop]);
      if (object instanceof Unknown2) return unknown(object.reason, object.hole);
      if (object instanceof TensorValue2 && prop === "shape") return unknown("shapes of symbolic tensors are not evaluated");
      if (object === null || typeof object === "number" || typeof object === "boolean") return unknown(`\`${prop}\` of a constant is not evaluated`);
      return new BoundMethod(object, prop);
    }
    const inner = parts.slice(2, -1);
    if (object instanceof Unknown2) return unknown(object.reason, object.hole);
    if (inner.some((n) => n.name === ":")) {
      const bounds = [];
      let current;
      for (const n of inner) {
        if (n.name === ":") {
          bounds.push(current);
          current = void 0;
        } else {
          const v = this.eval(n, scope);
          if (typeof v !== "number") return new Unknown2(this.t(node), "slice bounds are not constants");
          current = v;
        }
      }
      bounds.push(current);
      if (!Array.isArray(object) && typeof object !== "string") return new Unknown2(this.t(node), `slicing ${describe(object)} is not evaluated`);
      if (bounds[2] !== void 0 && bounds[2] !== 1) {
        if (bounds[2] === -1 && bounds[0] === void 0 && bounds[1] === void 0) return Array.isArray(object) ? [...object].reverse() : [...object].reverse().join("");
        return new Unknown2(this.t(node), "slices with a step are not evaluated");
      }
      return object.slice(bounds[0], bounds[1]);
    }
    const indexNode = inner[0];
    if (!indexNode) return new Unknown2(this.t(node), "incomplete expression");
    const index = this.eval(indexNode, scope);
    if ((Array.isArray(object) || typeof object === "string") && typeof index === "number") {
      const item = object[index < 0 ? object.length + index : index];
      return item ?? new Unknown2(this.t(node), "index out of range");
    }
    if (object instanceof PyDict && isPrimitive2(index)) return object.items.get(String(index)) ?? new Unknown2(this.t(node), `no key \`${String(index)}\``);
    return unknown(index instanceof Unknown2 ? index.reason : `indexing ${describe(object)} is not evaluated`);
  }
  sequence(items, scope) {
    const out = [];
    for (let i = 0; i < items.length; i++) {
      const n = items[i];
      if (n.name === ",") continue;
      if (n.name === "*" && items[i + 1]) {
        const spread = this.eval(items[++i], scope);
        if (Array.isArray(spread)) out.push(...spread);
        else out.push(new Unknown2(this.t(items[i]), spread instanceof Unknown2 ? spread.reason : "unpacking a value that is not a list"));
        continue;
      }
      out.push(this.eval(n, scope));
    }
    return out;
  }
  /** `[element for a in xs if c for b in ys]`: each clause nests; layers record the iterations. */
  comprehension(parts, scope) {
    const firstFor = parts.findIndex((n) => n.name === "for");
    const element = parts[0];
    if (firstFor < 1 || !element) return [];
    const clauses = parts.slice(firstFor);
    const inner = new Scope2(scope);
    const out = [];
    const loop = (at) => {
      if (at >= clauses.length) {
        out.push(this.eval(element, inner));
        return;
      }
      const clause = clauses[at];
      if (clause.name === "if") {
        const cond = truthy2(this.eval(clauses[at + 1], inner));
        if (cond !== false) loop(at + 2);
        return;
      }
      if (clause.name !== "for") return loop(at + 1);
      const inIndex = clauses.findIndex((n, i) => i > at && n.name === "in");
      const targets = clauses.slice(at + 1, inIndex).filter((n) => n.name !== ",");
      const iterNode = clauses[inIndex + 1];
      if (inIndex < 0 || !iterNode) return;
      const items = this.iterate(this.eval(iterNode, inner), iterNode);
      items.forEach((item, i) => {
        if (targets.length === 1) this.assign(targets[0], item, inner);
        else this.assignTuple(targets, item, inner);
        this.iterations.push(i);
        try {
          loop(inIndex + 2);
        } finally {
          this.iterations.pop();
        }
      });
    };
    loop(0);
    return out;
  }
  dict(node, scope) {
    const dict = new PyDict();
    const parts = kids(node).slice(1, -1);
    for (let i = 0; i < parts.length; i++) {
      const n = parts[i];
      if (n.name === ",") continue;
      if (n.name === "**") {
        const spread = this.eval(parts[++i], scope);
        if (spread instanceof PyDict) for (const [k, v] of spread.items) dict.items.set(k, v);
        continue;
      }
      if (parts[i + 1]?.name === ":" && parts[i + 2]) {
        const key = this.eval(n, scope);
        const value = this.eval(parts[i + 2], scope);
        if (isPrimitive2(key)) dict.items.set(String(key), value);
        i += 2;
      }
    }
    return dict;
  }
  formatString(node, scope) {
    const raw = this.t(node);
    const m = /^([a-zA-Z]{0,2})('''|"""|'|")/.exec(raw);
    if (!m) return new Unknown2(raw, "malformed string");
    const quote = m[2];
    let pos = node.from + m[0].length;
    const end = raw.endsWith(quote) ? node.to - quote.length : node.to;
    let out = "";
    const literal = (from, to) => this.src.slice(from, to).replace(/\{\{/g, "{").replace(/\}\}/g, "}");
    for (const rep of kids(node)) {
      if (rep.name !== "FormatReplacement") continue;
      out += literal(pos, rep.from);
      const inner = kids(rep).filter((n) => n.name !== "{" && n.name !== "}");
      if (inner.length !== 1) return new Unknown2(raw, "f-string formats are not evaluated");
      const value = this.eval(inner[0], scope);
      if (!isPrimitive2(value)) return new Unknown2(raw, value instanceof Unknown2 ? value.reason : "f-string of a value that is not a constant", value instanceof Unknown2 ? value.hole : void 0);
      out += value === null ? "None" : typeof value === "boolean" ? value ? "True" : "False" : String(value);
      pos = rep.to;
    }
    return out + literal(pos, end);
  }
  unary(node, scope) {
    const [op, operandNode] = kids(node);
    if (!op || !operandNode) return new Unknown2(this.t(node), "incomplete expression");
    const operand = this.eval(operandNode, scope);
    const opText = this.t(op);
    if (opText === "not") {
      const t = truthy2(operand);
      return t === void 0 ? new Unknown2(this.t(node), "operand is not a constant") : !t;
    }
    if (typeof operand === "number" || typeof operand === "boolean") {
      const n = Number(operand);
      return opText === "-" ? -n : opText === "~" ? ~n : n;
    }
    return new Unknown2(this.t(node), operand instanceof Unknown2 ? operand.reason : "operand is not a number", operand instanceof Unknown2 ? operand.hole : void 0);
  }
  binaryExpression(node, scope) {
    const parts = kids(node);
    const left = parts[0];
    const right = parts[parts.length - 1];
    if (!left || !right || parts.length < 3) return new Unknown2(this.t(node), "incomplete expression");
    const op = parts.slice(1, -1).map((n) => this.t(n)).join(" ");
    const a = this.eval(left, scope);
    if (op === "and" || op === "or") {
      const t = truthy2(a);
      if (t === void 0) return new Unknown2(this.t(node), a instanceof Unknown2 ? a.reason : "operand is not a constant", a instanceof Unknown2 ? a.hole : void 0);
      if (op === "and" ? !t : t) return a;
      return this.eval(right, scope);
    }
    return this.binary(op, a, this.eval(right, scope), node);
  }
  binary(op, a, b, node) {
    const unknownOf = (reason) => {
      const culprit = a instanceof Unknown2 ? a : b instanceof Unknown2 ? b : void 0;
      return new Unknown2(this.t(node), culprit ? culprit.reason : reason, culprit?.hole);
    };
    if (a instanceof Unknown2 || b instanceof Unknown2) {
      return unknownOf("operands are not constants");
    }
    switch (op) {
      case "==":
        return equal(a, b) ?? unknownOf("operands are not constants");
      case "!=": {
        const e = equal(a, b);
        return e === void 0 ? unknownOf("operands are not constants") : !e;
      }
      case "is":
        return a === b || isPrimitive2(a) && a === b;
      case "is not":
        return !(a === b);
      case "in":
      case "not in": {
        let found;
        if (typeof b === "string" && typeof a === "string") found = b.includes(a);
        else if (Array.isArray(b)) found = b.some((x) => equal(x, a) === true) ? true : b.some((x) => equal(x, a) === void 0) ? void 0 : false;
        else if (b instanceof PyDict && isPrimitive2(a)) found = b.items.has(String(a));
        if (found === void 0) return unknownOf("membership is not evaluated here");
        return op === "in" ? found : !found;
      }
    }
    if (typeof a === "boolean") a = Number(a);
    if (typeof b === "boolean") b = Number(b);
    if (typeof a === "number" && typeof b === "number") {
      switch (op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "//":
          return Math.floor(a / b);
        case "%":
          return (a % b + b) % b;
        case "**":
          return a ** b;
        case "<":
          return a < b;
        case ">":
          return a > b;
        case "<=":
          return a <= b;
        case ">=":
          return a >= b;
        case "&":
          return a & b;
        case "|":
          return a | b;
        case "^":
          return a ^ b;
        case "<<":
          return a << b;
        case ">>":
          return a >> b;
      }
    }
    if (typeof a === "string" && typeof b === "string") {
      if (op === "+") return a + b;
      if (op === "<") return a < b;
      if (op === ">") return a > b;
    }
    if (op === "%" && typeof a === "string") {
      const values = Array.isArray(b) ? b : [b];
      let k = 0;
      return a.replace(/%[-+ 0#]*\d*(?:\.\d+)?[sdifr%]/g, (spec2) => spec2.endsWith("%") ? "%" : String(values[k++] ?? ""));
    }
    if (op === "+" && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    if (op === "*" && Array.isArray(a) && typeof b === "number") return Array.from({ length: Math.min(Math.max(b, 0), MAX_LOOP) }, () => a).flat();
    if (op === "*" && typeof a === "number" && Array.isArray(b)) return Array.from({ length: Math.min(Math.max(a, 0), MAX_LOOP) }, () => b).flat();
    if (op === "*" && typeof a === "string" && typeof b === "number") return a.repeat(Math.max(0, Math.min(b, MAX_LOOP)));
    return unknownOf(`\`${op}\` of these values is not evaluated`);
  }
  // ----- calls
  args(list, scope) {
    const positional = [];
    const keywords = /* @__PURE__ */ new Map();
    if (!list) return { positional, keywords };
    const parts = kids(list).slice(1, kids(list)[kids(list).length - 1]?.name === ")" ? -1 : void 0);
    if (parts.some((n) => n.name === "for")) {
      positional.push({ value: this.comprehension(parts, scope) });
      return { positional, keywords, list };
    }
    for (let i = 0; i < parts.length; i++) {
      const n = parts[i];
      if (n.name === ",") continue;
      if (n.name === "*" || n.name === "**") {
        const valueNode = parts[++i];
        if (!valueNode) continue;
        const spread = this.eval(valueNode, scope);
        if (n.name === "*" && Array.isArray(spread)) for (const v of spread) positional.push({ value: v });
        else if (n.name === "**" && spread instanceof PyDict) for (const [k, v] of spread.items) keywords.set(k, { value: v });
        else if (n.name === "*") positional.push({ value: new Unknown2(this.t(valueNode), spread instanceof Unknown2 ? spread.reason : "unpacking a value that is not a list") });
        continue;
      }
      if (n.name === "VariableName" && parts[i + 1]?.name === "AssignOp") {
        const valueNode = parts[i + 2];
        if (!valueNode || valueNode.name === ",") {
          i += 1;
          continue;
        }
        keywords.set(this.t(n), { value: this.eval(valueNode, scope), property: { start: n.from, end: valueNode.to }, valueRange: rangeOf(valueNode) });
        i += 2;
        continue;
      }
      positional.push({ value: this.eval(n, scope), property: rangeOf(n), valueRange: rangeOf(n) });
    }
    return { positional, keywords, list };
  }
  call(node, scope) {
    const [calleeNode, list] = kids(node);
    if (!calleeNode) return new Unknown2(this.t(node), "incomplete call");
    const callee = this.eval(calleeNode, scope);
    const args = this.args(list?.name === "ArgList" ? list : void 0, scope);
    return this.callValue(callee, args, node);
  }
  callValue(callee, args, site) {
    if (callee instanceof PyFunction) return this.callFunction(callee, args, site);
    if (callee instanceof Builtin) return callee.call(args.positional.map((a) => a.value), new Map([...args.keywords].map(([k, a]) => [k, a.value])), site);
    if (callee instanceof BoundMethod) return this.callMethod(callee, args, site);
    if (callee instanceof PyModule) return this.callApi(callee, args, site);
    if (callee instanceof LayerValue2) return this.applyLayer(callee, args, site);
    if (callee instanceof SequentialModel2 || callee instanceof FunctionalModel2) return this.applyModel(callee, args, site);
    if (callee instanceof ClassValue) return new Unknown2(this.t(site), `instances of \`${callee.name}\` are not evaluated`);
    if (callee instanceof Unknown2) {
      if (/is not defined in this file/.test(callee.reason)) this.problem(`\`${callee.text}\` is not defined in this file; the result of \`${this.t(site).slice(0, 60)}\` is unknown.`, rangeOf(site), "info");
      return new Unknown2(this.t(site), callee.reason, callee.hole);
    }
    return new Unknown2(this.t(site), `${describe(callee)} is not callable`);
  }
  callFunction(fn, args, site, template) {
    this.calledFunctions.add(fn.node.from);
    this.callsOfRun?.add(fn.node.from);
    if (this.depth >= MAX_DEPTH) {
      this.problem(`Calls nest deeper than ${MAX_DEPTH} (recursion?); \`${fn.name}\` was not followed.`, rangeOf(site), "info");
      return new Unknown2(this.t(site), "recursion too deep");
    }
    const scope = new Scope2(fn.scope);
    let position = 0;
    const used = /* @__PURE__ */ new Set();
    for (const param of fn.params) {
      let value;
      if (param.kind === "star") {
        value = args.positional.slice(position).map((a) => a.value);
        position = args.positional.length;
      } else if (param.kind === "kwstar") {
        const rest = new PyDict();
        for (const [k, a] of args.keywords) if (!used.has(k)) rest.items.set(k, a.value);
        value = rest;
      } else if (template?.given.has(param.name)) {
        value = template.given.get(param.name);
      } else if (args.keywords.has(param.name)) {
        value = args.keywords.get(param.name).value;
        used.add(param.name);
      } else if (position < args.positional.length && !template) {
        value = args.positional[position++].value;
      } else if (param.defaultNode) {
        value = this.eval(param.defaultNode, fn.scope);
      } else if (template) {
        this.holeRanges.set(param.name, param.range);
        value = new Unknown2(param.name, "parameter without a value", param.name);
      } else {
        value = new Unknown2(param.name, `no argument for parameter \`${param.name}\` of \`${fn.name}\``);
      }
      scope.vars.set(param.name, value ?? null);
    }
    const body = kids(fn.node).find((n) => n.name === "Body");
    this.depth++;
    try {
      const completion = this.execBody(body, scope);
      return completion?.kind === "return" ? completion.value : completion?.kind === "raise" ? new Unknown2(this.t(site), "the function raises") : null;
    } finally {
      this.depth--;
    }
  }
  callMethod(method, args, site) {
    const { self, name } = method;
    const a = args.positional.map((x) => x.value);
    if (self instanceof SequentialModel2 || self instanceof FunctionalModel2) {
      if (name === "compile") {
        self.compile = this.compileRecord(args, site);
        return null;
      }
      if (self instanceof SequentialModel2 && name === "add") {
        const arg = args.positional[0] ?? args.keywords.get("layer");
        if (arg) this.addToSequential(self, arg.value, arg.valueRange ?? rangeOf(site));
        return null;
      }
      if (self instanceof SequentialModel2 && name === "pop") {
        self.layers.pop();
        return null;
      }
      return new Unknown2(this.t(site), `\`model.${name}(...)\` is not evaluated`);
    }
    if (Array.isArray(self)) {
      if (name === "append" && a.length === 1) self.push(a[0]);
      else if (name === "extend" && Array.isArray(a[0])) self.push(...a[0]);
      else if (name === "insert" && typeof a[0] === "number" && a.length === 2) self.splice(a[0] < 0 ? self.length + a[0] : a[0], 0, a[1]);
      else if (name === "pop") return (a.length && typeof a[0] === "number" ? self.splice(a[0] < 0 ? self.length + a[0] : a[0], 1)[0] : self.pop()) ?? null;
      else if (name === "copy") return [...self];
      else if (name === "index" && a.length) return self.findIndex((x) => equal(x, a[0]) === true);
      else if (name === "count" && a.length) return self.filter((x) => equal(x, a[0]) === true).length;
      else return new Unknown2(this.t(site), `list method \`${name}\` is not evaluated`);
      return null;
    }
    if (typeof self === "string") {
      if (name === "lower") return self.toLowerCase();
      if (name === "upper") return self.toUpperCase();
      if (name === "strip") return self.trim();
      if (name === "startswith" && typeof a[0] === "string") return self.startsWith(a[0]);
      if (name === "endswith" && typeof a[0] === "string") return self.endsWith(a[0]);
      if (name === "format") {
        let k = 0;
        return self.replace(/\{(\w*)\}/g, (_, key) => {
          const v = key === "" ? a[k++] : /^\d+$/.test(key) ? a[Number(key)] : args.keywords.get(key)?.value;
          return v === void 0 || !isPrimitive2(v) ? `{${key}}` : String(v);
        });
      }
      return new Unknown2(this.t(site), `string method \`${name}\` is not evaluated`);
    }
    if (self instanceof PyDict) {
      if (name === "get" && isPrimitive2(a[0] ?? null)) return self.items.get(String(a[0])) ?? a[1] ?? null;
      if (name === "keys") return [...self.items.keys()];
      if (name === "values") return [...self.items.values()];
      if (name === "items") return [...self.items].map(([k, v]) => [k, v]);
      return new Unknown2(this.t(site), `dict method \`${name}\` is not evaluated`);
    }
    return new Unknown2(this.t(site), `\`.${name}(...)\` of ${describe(self)} is not evaluated`);
  }
  addToSequential(model, value, at) {
    if (value instanceof LayerValue2) model.layers.push(value);
    else if (value instanceof TensorValue2 && value.node.layer.type === "inputLayer") model.layers.push(this.asInputLayer(value.node.layer));
    else if (value instanceof SequentialModel2 || value instanceof FunctionalModel2) this.addModel(model, value, at);
    else {
      const reason = value instanceof Unknown2 ? value.reason : describe(value);
      this.problem(`\`${this.src.slice(at.start, at.end).slice(0, 80)}\` is not a layer the parser could read (${reason}); it is left out of the model.`, at, "warning");
    }
  }
  /** A model added to a Sequential is read as its layers, inlined and marked with its name. */
  addModel(outer, inner, at) {
    const name = inner.name ?? "model";
    if (inner === outer) {
      this.problem("A model cannot be added to itself.", at, "warning");
      return;
    }
    const layers = inner instanceof SequentialModel2 ? [...inner.layers] : nodesReaching(inner.outputs.map((t) => t.node)).map((n) => n.layer);
    if (inner instanceof FunctionalModel2) {
      const nodes = nodesReaching(inner.outputs.map((t) => t.node));
      const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
      if (!chain) {
        this.problem(`\`${name}\` has branches; adding it to a Sequential model is not read (call it on a tensor in a functional model instead).`, at, "warning");
        return;
      }
    }
    for (const layer of layers) if (layer.type !== "inputLayer" || outer.layers.length === 0) outer.layers.push(layer.inlined(name));
  }
  /** A model called on tensors: its layers are replayed on them, inlined and marked with its name. */
  applyModel(model, args, site) {
    const input = args.positional[0]?.value ?? args.keywords.get("inputs")?.value;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v) => v instanceof TensorValue2)) {
      const unknown = given.find((v) => v instanceof Unknown2);
      return new Unknown2(this.t(site), unknown ? unknown.reason : "model called on a value that is not a tensor", unknown?.hole);
    }
    const name = model.name ?? "model";
    if (model instanceof SequentialModel2) {
      let current = given[0];
      for (const layer of model.layers) {
        if (layer.type === "inputLayer") continue;
        current = new TensorValue2({ layer: layer.inlined(name), inbound: [current.node], order: this.nodeOrder++ });
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is called on ${given.length}.`, rangeOf(site), "warning");
      return new Unknown2(this.t(site), "model called on the wrong number of inputs");
    }
    const copies = /* @__PURE__ */ new Map();
    model.inputs.forEach((tensor, i) => copies.set(tensor.node, given[i].node));
    for (const node of nodesReaching(model.outputs.map((t) => t.node))) {
      if (copies.has(node)) continue;
      copies.set(node, { layer: node.layer.inlined(name), inbound: node.inbound.map((n) => copies.get(n)), order: this.nodeOrder++ });
    }
    const outputs = model.outputs.map((t) => new TensorValue2(copies.get(t.node)));
    return outputs.length === 1 ? outputs[0] : outputs;
  }
  /** `keras.Input(shape=...)` placed in a Sequential: tfjs' `inputLayer` reads `inputShape`. */
  asInputLayer(layer) {
    const rename = (key) => key === "shape" ? "inputShape" : key === "batchShape" ? "batchInputShape" : key;
    return new LayerValue2(
      "inputLayer",
      true,
      Object.fromEntries(Object.entries(layer.config).map(([k, v]) => [rename(k), v])),
      Object.fromEntries(Object.entries(layer.configRanges).map(([k, v]) => [rename(k), v])),
      layer.configRange,
      layer.range,
      layer.iteration
    );
  }
  // ----- the Keras API
  callApi(module2, args, site) {
    const path = kerasPath(module2.path);
    const what = module2.path.join(".");
    if (!path || path.length === 0) return new Unknown2(this.t(site), `\`${what}(...)\` is not evaluated`);
    const last = path[path.length - 1];
    const first = path[0];
    if (last === "Input" && (path.length === 1 || first === "layers" || first === "engine")) return this.input(args, site);
    if (last === "Sequential" && (path.length === 1 || first === "models")) return this.sequential(args, site);
    if (last === "Model" && (path.length === 1 || first === "models")) return this.functional(args, site);
    if (first === "layers" || path.length === 1) {
      const spec2 = KERAS_LAYERS[last];
      if (spec2) return this.makeLayer(spec2.type, true, spec2.positional, args, site);
      const merge = MERGE_FUNCTIONS[last];
      if (merge) {
        const [inputs, ...rest] = args.positional;
        const layer = this.makeLayer(merge, true, [], { ...args, positional: rest }, site);
        return this.applyLayer(layer, { positional: inputs ? [inputs] : [], keywords: /* @__PURE__ */ new Map() }, site);
      }
      if (first === "layers" && /^[A-Z]/.test(last)) {
        const why = last === "Lambda" ? "`Lambda` layers run Python code, which Gradient Lens does not evaluate" : `\`${last}\` has no tfjs twin that Gradient Lens knows`;
        this.problem(`${why}; it is kept as an opaque layer (shapes after it are unknown).`, rangeOf(site), "warning");
        const type = last.charAt(0).toLowerCase() + last.slice(1);
        return this.makeLayer(type, LAYER_FACTORIES.has(type), [], { ...args, positional: [] }, site, true);
      }
    }
    if (first === "initializers" && path.length === 2) return this.initializer(last, args, site);
    if (first === "regularizers" && path.length === 2) return this.regularizer(last, args, site);
    if (first === "constraints" && path.length === 2) return this.constraint(last, args, site);
    if (first === "optimizers") return this.optimizer(path, args, site);
    if (first === "losses" && path.length === 2) {
      const loss = tfjsLoss(last);
      if (!loss) return new Unknown2(this.t(site), `tfjs has no \`${last}\` loss`);
      if (args.keywords.get("from_logits")?.value === true) {
        this.problem("`from_logits=True`: tfjs losses take probabilities, so the loss is read as if the model ended in softmax/sigmoid.", args.keywords.get("from_logits").property, "info");
      }
      return new ConfigResult("loss", loss);
    }
    if (first === "metrics" && path.length === 2) return new ConfigResult("metric", tfjsMetric(last));
    return new Unknown2(this.t(site), `\`${what}(...)\` is not evaluated`);
  }
  input(args, site) {
    const layer = this.makeLayer("inputLayer", true, ["shape", "batch_size", "name", "dtype"], args, site, false, { shape: "shape", batch_shape: "batchShape" });
    return new TensorValue2({ layer, inbound: [], order: this.nodeOrder++ });
  }
  sequential(args, site) {
    const model = new SequentialModel2(rangeOf(site));
    const layersArg = args.positional[0] ?? args.keywords.get("layers");
    if (layersArg && layersArg.value !== null) {
      const list = layersArg.value;
      if (Array.isArray(list)) for (const item of list) this.addToSequential(model, item, layersArg.valueRange ?? rangeOf(site));
      else this.addToSequential(model, list, layersArg.valueRange ?? rangeOf(site));
    }
    this.models.push(model);
    return model;
  }
  functional(args, site) {
    const tensors = (arg, what) => {
      if (!arg) {
        this.problem(`\`Model(...)\` without \`${what}\` cannot be read.`, rangeOf(site), "warning");
        return void 0;
      }
      const values = Array.isArray(arg.value) ? arg.value : arg.value instanceof PyDict ? [...arg.value.items.values()] : [arg.value];
      const bad = values.find((v) => !(v instanceof TensorValue2));
      if (bad !== void 0 || values.length === 0) {
        const reason = bad instanceof Unknown2 ? bad.reason : bad === void 0 ? "empty" : describe(bad);
        this.problem(`The ${what} of this model are not layers the parser could follow (${reason}); the model is left out.`, arg.valueRange ?? rangeOf(site), "warning");
        return void 0;
      }
      return values;
    };
    const inputs = tensors(args.positional[0] ?? args.keywords.get("inputs"), "inputs");
    const outputs = inputs && tensors(args.positional[1] ?? args.keywords.get("outputs"), "outputs");
    if (!inputs || !outputs) return new Unknown2(this.t(site), "a model the parser could not follow");
    const model = new FunctionalModel2(rangeOf(site), inputs, outputs);
    this.models.push(model);
    return model;
  }
  applyLayer(layer, args, site) {
    const input = args.positional[0]?.value ?? args.keywords.get("inputs")?.value;
    const values = Array.isArray(input) ? input : [input];
    if (input === void 0 || values.length === 0) return new Unknown2(this.t(site), "layer applied to nothing");
    const bad = values.find((v) => !(v instanceof TensorValue2));
    if (bad !== void 0) {
      return new Unknown2(this.t(site), bad instanceof Unknown2 ? `input \`${bad.text}\` is unknown (${bad.reason})` : `input is ${describe(bad ?? null)}, not a tensor`);
    }
    const tensors = values;
    const indexed = tensors.some((t) => t.index !== 0);
    const node = { layer, inbound: tensors.map((t) => t.node), ...indexed ? { inboundIndex: tensors.map((t) => t.index) } : {}, order: this.nodeOrder++ };
    if (["lstm", "gru", "simpleRNN"].includes(layer.type) && layer.config.returnState === true) {
      return Array.from({ length: layer.type === "lstm" ? 3 : 2 }, (_, i) => new TensorValue2(node, i));
    }
    return new TensorValue2(node);
  }
  /**
   * Creates a layer from a Keras constructor call: arguments by Keras signature, keys in tfjs
   * spelling, values converted to the IR right here so problems point at the argument.
   */
  makeLayer(type, known2, positional, args, site, skipReport = false, renames = {}) {
    const config = {};
    const ranges = {};
    const layerRange = rangeOf(site);
    const put = (pyName, arg) => {
      const key = renames[pyName] ?? tfjsKey(type, pyName);
      config[key] = this.toConfig(key, arg.value, arg.valueRange ?? layerRange, layerRange);
      if (arg.property && arg.valueRange) ranges[key] = { property: arg.property, value: arg.valueRange };
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
      else if (!skipReport) this.problem(`Too many positional arguments for \`${type}\`; argument ${i + 1} is ignored.`, arg.property ?? layerRange, "warning");
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    this.checkLayerConfig(type, config, ranges, layerRange);
    const iteration = this.iterations.length ? [...this.iterations] : void 0;
    this.layersMade++;
    return new LayerValue2(type, known2, config, ranges, args.list ? rangeOf(args.list) : void 0, layerRange, iteration);
  }
  checkLayerConfig(type, config, ranges, at) {
    if (type === "reLU") {
      for (const key of ["negativeSlope", "threshold"]) {
        if (typeof config[key] === "number" && config[key] !== 0) this.problem(`tfjs' reLU has no \`${key}\`; it is ignored when training.`, ranges[key]?.property ?? at, "warning");
      }
    }
  }
  /** A Keras argument value as a tfjs config value; unknowns are reported at `at`. */
  toConfig(key, value, at, layerRange) {
    if (value === null || typeof value === "number" || typeof value === "boolean") return value;
    if (typeof value === "string") return this.configString(key, value, layerRange);
    if (Array.isArray(value)) return value.map((v) => this.toConfig(key, v, at, layerRange));
    if (value instanceof PyDict) {
      const object = {};
      for (const [k, v] of value.items) object[k] = this.toConfig(k, v, at, layerRange);
      return object;
    }
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof LayerValue2) return { $call: `layers.${value.type}`, args: [value.config] };
    if (value instanceof PyModule) {
      const activation = activationOfPath(value.path);
      if (activation !== void 0 && /activation$/i.test(key)) return this.configString(key, activation, layerRange);
      const path = kerasPath(value.path);
      if (path && path[0] === "initializers" && /Initializer$/.test(key)) return this.configString(key, path[path.length - 1], layerRange);
    }
    if (value instanceof Unknown2) {
      const fill = value.hole ? ` Give \`${value.hole}\` a value with \`# gradient-lens: ${value.hole}=...\` above the function or statement, or --set.` : "";
      this.problem(`${key}: \`${value.text}\` is not a constant (${value.reason}).${fill}`, at, "warning");
      return { $unknown: value.text, reason: value.reason, ...value.hole ? { hole: value.hole } : {} };
    }
    const reason = `${describe(value)} cannot be used as a config value here`;
    this.problem(`${key}: ${reason}.`, at, "warning");
    return { $unknown: this.src.slice(at.start, at.end), reason };
  }
  configString(key, value, layerRange) {
    if (/activation$/i.test(key)) {
      const tfjs = ACTIVATIONS[value] ?? (Object.values(ACTIVATIONS).includes(value) ? value : void 0);
      if (tfjs) return tfjs;
      this.problem(
        ACTIVATION_STAND_INS.has(value) ? `tfjs has no \`${value}\` activation; training uses the layer without it, followed by a weightless stand-in layer that computes it.` : `tfjs has no \`${value}\` activation; the layer cannot be trained as written.`,
        layerRange,
        "warning"
      );
      return value;
    }
    if (/Initializer$/.test(key)) {
      const tfjs = tfjsInitializer(value);
      if (tfjs) return tfjs;
      this.problem(`tfjs has no \`${value}\` initializer.`, layerRange, "warning");
      return value;
    }
    if (/Regularizer$/.test(key)) {
      const tfjs = tfjsRegularizer(value);
      if (!tfjs) {
        this.problem(`tfjs has no \`${value}\` regularizer.`, layerRange, "warning");
        return value;
      }
      return { $call: `regularizers.${tfjs}`, args: [tfjs === "l1l2" ? { l1: 0.01, l2: 0.01 } : { [tfjs]: 0.01 }] };
    }
    if (/Constraint$/.test(key)) return tfjsConstraint(value) ?? value;
    return tfjsEnumValue(key, value);
  }
  /** Keyword/positional arguments of a factory as one tfjs config object (camelCase keys). */
  factoryConfig(positional, args, site, renames = {}) {
    const config = {};
    const at = rangeOf(site);
    const put = (name, arg) => {
      const key = renames[name] ?? camelCase(name);
      config[key] = this.toConfig(key, arg.value, arg.valueRange ?? at, at);
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    return config;
  }
  initializer(name, args, site) {
    const tfjs = tfjsInitializer(name);
    if (!tfjs) {
      this.problem(`tfjs has no \`${name}\` initializer.`, rangeOf(site), "warning");
      return new Unknown2(this.t(site), `tfjs has no \`${name}\` initializer`);
    }
    if (tfjs === "zeros" || tfjs === "ones") return new ConfigResult("initializer", { $call: `initializers.${tfjs}`, args: [] });
    const positional = {
      constant: ["value"],
      randomNormal: ["mean", "stddev", "seed"],
      truncatedNormal: ["mean", "stddev", "seed"],
      randomUniform: ["minval", "maxval", "seed"],
      varianceScaling: ["scale", "mode", "distribution", "seed"],
      orthogonal: ["gain", "seed"],
      identity: ["gain"]
    };
    return new ConfigResult("initializer", { $call: `initializers.${tfjs}`, args: [this.factoryConfig(positional[tfjs] ?? ["seed"], args, site)] });
  }
  regularizer(name, args, site) {
    const tfjs = tfjsRegularizer(name);
    if (!tfjs) return new Unknown2(this.t(site), `tfjs has no \`${name}\` regularizer`);
    const config = { ...this.factoryConfig(tfjs === "l1l2" ? ["l1", "l2"] : [tfjs], args, site) };
    const fallback = name === "L1L2" ? 0 : 0.01;
    for (const k of tfjs === "l1l2" ? ["l1", "l2"] : [tfjs]) if (!(k in config)) config[k] = fallback;
    return new ConfigResult("regularizer", { $call: `regularizers.${tfjs}`, args: [config] });
  }
  constraint(name, args, site) {
    const tfjs = tfjsConstraint(name);
    if (!tfjs) return new Unknown2(this.t(site), `tfjs has no \`${name}\` constraint`);
    if (tfjs === "nonNeg") return new ConfigResult("constraint", { $call: "constraints.nonNeg", args: [] });
    const positional = { maxNorm: ["max_value", "axis"], unitNorm: ["axis"], minMaxNorm: ["min_value", "max_value", "rate", "axis"] };
    return new ConfigResult("constraint", { $call: `constraints.${tfjs}`, args: [this.factoryConfig(positional[tfjs] ?? [], args, site)] });
  }
  /** `optimizers.SGD(learning_rate=0.01, clipnorm=1.0)` -> `train.sgd(0.01)`, clipped. */
  optimizer(path, args, site) {
    const name = path[path.length - 1];
    if (path.includes("schedules")) return new Unknown2(this.t(site), "learning-rate schedules are not evaluated");
    const spec2 = OPTIMIZERS[name.toLowerCase()];
    if (!spec2) {
      this.problem(`tfjs has no \`${name}\` optimizer; training uses SGD instead.`, rangeOf(site), "warning");
      return new Unknown2(this.t(site), `tfjs has no \`${name}\` optimizer`);
    }
    const given = /* @__PURE__ */ new Map();
    args.positional.forEach((arg, i) => {
      const param = spec2.params[i];
      if (param) given.set(param[0], arg);
    });
    for (const [k, arg] of args.keywords) given.set(k === "lr" ? "learning_rate" : k, arg);
    const value = (pyName, fallback) => {
      const arg = given.get(pyName);
      return arg ? this.toConfig(pyName, arg.value, arg.valueRange ?? rangeOf(site), rangeOf(site)) : fallback;
    };
    let call;
    const momentum = given.get("momentum");
    if (spec2.factory === "sgd" && momentum && momentum.value !== 0) {
      const nesterov = given.get("nesterov");
      call = { $call: "train.momentum", args: [value("learning_rate", 0.01), value("momentum", 0), ...nesterov ? [value("nesterov", false)] : []] };
    } else {
      let lastGiven = 0;
      spec2.params.forEach(([p], i) => {
        if (given.has(p)) lastGiven = i;
      });
      call = { $call: `train.${spec2.factory}`, args: spec2.params.slice(0, lastGiven + 1).map(([p, d]) => value(p, d)) };
    }
    if (given.has("clipvalue")) this.problem("`clipvalue` is not supported; only `clipnorm` is applied when training.", given.get("clipvalue").property ?? rangeOf(site), "info");
    const clip = given.get("clipnorm") ?? given.get("global_clipnorm");
    if (clip) {
      const norm = this.toConfig("clipnorm", clip.value, clip.valueRange ?? rangeOf(site), rangeOf(site));
      call = { $call: CLIPPED_OPTIMIZER_CALL, args: [call, norm] };
    }
    return new ConfigResult("optimizer", call);
  }
  compileRecord(args, site) {
    const names = ["optimizer", "loss", "metrics"];
    const found = /* @__PURE__ */ new Map();
    args.positional.forEach((arg, i) => {
      if (names[i]) found.set(names[i], arg);
    });
    for (const name of names) if (args.keywords.has(name)) found.set(name, args.keywords.get(name));
    const configRanges = {};
    const result = {};
    for (const [name, arg] of found) {
      if (arg.property && arg.valueRange) configRanges[name] = { property: arg.property, value: arg.valueRange };
      const at = arg.valueRange ?? rangeOf(site);
      if (name === "optimizer") result.optimizer = this.compileOptimizer(arg.value, at);
      else if (name === "loss") result.loss = this.compileLoss(arg.value, at);
      else result.metrics = this.compileMetrics(arg.value, at);
    }
    return { range: rangeOf(site), configRanges, ...args.list ? { configRange: rangeOf(args.list) } : {}, ...result };
  }
  compileOptimizer(value, at) {
    if (typeof value === "string") {
      const lower = value.toLowerCase();
      if (OPTIMIZER_NAMES.has(lower)) return lower;
      this.problem(`tfjs has no \`${value}\` optimizer; training uses SGD instead.`, at, "warning");
      return value;
    }
    if (value instanceof ConfigResult && value.kind === "optimizer") return value.value;
    return this.toConfig("optimizer", value, at, at);
  }
  compileLoss(value, at) {
    if (typeof value === "string") {
      const loss = tfjsLoss(value);
      if (loss) return loss;
      this.problem(`tfjs has no \`${value}\` loss; training uses mean squared error instead.`, at, "warning");
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.compileLoss(v, at));
    if (value instanceof PyDict) return [...value.items.values()].map((v) => this.compileLoss(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) {
      const path = kerasPath(value.path);
      const loss = path && path[0] === "losses" ? tfjsLoss(path[path.length - 1]) : void 0;
      if (loss) return loss;
    }
    if (value instanceof PyFunction) {
      this.problem(`Custom loss \`${value.name}\` is not evaluated; training uses mean squared error instead.`, at, "warning");
      return { $unknown: value.name, reason: "custom loss functions are not evaluated" };
    }
    return this.toConfig("loss", value, at, at);
  }
  compileMetrics(value, at) {
    if (typeof value === "string") return tfjsMetric(value);
    if (Array.isArray(value)) return value.map((v) => this.compileMetrics(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) return tfjsMetric(value.path[value.path.length - 1]);
    if (value instanceof Unknown2) return { $unknown: value.text, reason: value.reason };
    return { $unknown: describe(value), reason: "not a metric the parser knows" };
  }
  /** Where an annotation for the model at `range` goes: above its top-level statement. */
  annotationSite(range, template) {
    const statement = template ?? (this.top ? kids(this.top).find((n) => n.from <= range.start && range.end <= n.to) : void 0);
    if (!statement) return void 0;
    const lineStart = this.text.lastIndexOf("\n", statement.from - 1) + 1;
    const indent = /^[ \t]*/.exec(this.text.slice(lineStart, statement.from))[0];
    const existing = this.annotationAbove(statement);
    return { lineStart, indent, ...existing ? { existing: existing.range } : {} };
  }
  // ----- templates
  /**
   * Functions nobody in the file calls are run once with unknown parameters (defaults and
   * fills applied), so the models they build are found too. A string parameter compared with
   * literals (`if kind == "cnn":`) is run once per literal: one model per branch.
   */
  runTemplates(top) {
    const candidates = [];
    for (const statement of kids(top)) {
      const def = statement.name === "DecoratedStatement" ? kids(statement).find((n) => n.name === "FunctionDefinition") : statement.name === "FunctionDefinition" ? statement : void 0;
      if (!def) continue;
      const name = kids(def).find((n) => n.name === "VariableName");
      const fn = name ? this.moduleScope.lookup(this.t(name))?.value : void 0;
      if (fn instanceof PyFunction && fn.node.from === def.from) candidates.push({ fn, statement });
    }
    for (const { fn, statement } of candidates) {
      if (this.calledFunctions.has(fn.node.from)) continue;
      const given = new Map(this.fileFills);
      const own = Object.entries(this.options.setFor?.[fn.name] ?? {}).map(([k, v]) => `${k}=${v}`).join(", ");
      if (own) for (const [k, v] of this.parseFills(own, { start: 0, end: 0 })) given.set(k, v);
      const annotation = this.annotationAbove(statement);
      if (annotation) for (const [k, v] of this.parseFills(annotation.entries, annotation.range)) given.set(k, v);
      const branchParam = fn.params.find((p) => p.kind === "normal" && !given.has(p.name) && this.stringCases(fn, p.name).length > 0);
      const branches = branchParam ? this.stringCases(fn, branchParam.name) : [void 0];
      for (const branch of branches) {
        const runGiven = new Map(given);
        if (branchParam && branch !== void 0) runGiven.set(branchParam.name, branch);
        this.runTemplate(fn, statement, runGiven, branch);
      }
    }
    for (const run of this.templateRuns) {
      if (!this.templateRuns.some((other) => other !== run && other.models.length && other.called.has(run.def.from))) continue;
      const dropped = new Set(run.models);
      const kept = this.models.filter((m) => !dropped.has(m));
      this.models.splice(0, this.models.length, ...kept);
    }
  }
  runTemplate(fn, statement, given, branch) {
    const modelsBefore = this.models.length;
    const problemsBefore = this.problems.length;
    const called = /* @__PURE__ */ new Set();
    this.callsOfRun = called;
    this.templateFills = given;
    try {
      this.callFunction(fn, { positional: [], keywords: /* @__PURE__ */ new Map() }, fn.node, { given });
    } finally {
      this.callsOfRun = void 0;
      this.templateFills = void 0;
    }
    called.delete(fn.node.from);
    const models = this.models.slice(modelsBefore);
    if (models.length === 0) this.dropProblemsFrom(problemsBefore);
    for (const model of models) model.template = { fn: fn.name, ...branch !== void 0 ? { branch } : {}, def: statement };
    this.templateRuns.push({ def: fn.node, fn: fn.name, models, called });
  }
  /** String literals a parameter is compared with (`p == "cnn"`, `"cnn" in p`), in order. */
  stringCases(fn, param) {
    const cases = [];
    const body = kids(fn.node).find((n) => n.name === "Body");
    if (!body) return cases;
    const cursor = body.cursor();
    do {
      if (cursor.name !== "BinaryExpression") continue;
      const parts = kids(cursor.node);
      if (parts.length !== 3) continue;
      const [a, op, b] = parts;
      const opText = this.t(op);
      let literal;
      if (opText === "==" && a.name === "VariableName" && this.t(a) === param && b.name === "String") literal = b;
      else if (opText === "==" && b.name === "VariableName" && this.t(b) === param && a.name === "String") literal = a;
      else if (opText === "in" && b.name === "VariableName" && this.t(b) === param && a.name === "String") literal = a;
      if (literal) {
        const value = pyString(this.t(literal));
        if (!cases.includes(value)) cases.push(value);
      }
    } while (cursor.next());
    return cases;
  }
  // ----- builtins
  installBuiltins() {
    const b = (name, fn) => void this.builtins.set(name, new Builtin(name, fn));
    const unknown = (site, reason) => new Unknown2(this.t(site), reason);
    b("range", (args, _kw, site) => {
      if (!args.every((a) => typeof a === "number") || args.length === 0 || args.length > 3) {
        const culprit = args.find((a) => a instanceof Unknown2);
        return new Unknown2(this.t(site), culprit ? culprit.reason : "arguments are not constants", culprit?.hole);
      }
      const [start, stop, step] = args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1];
      if (step === 0) return unknown(site, "range step is zero");
      const out = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
        out.push(i);
        if (out.length > MAX_LOOP) return unknown(site, "range is too long");
      }
      return out;
    });
    b("len", (args, _kw, site) => {
      const a = args[0];
      if (Array.isArray(a) || typeof a === "string") return a.length;
      if (a instanceof PyDict) return a.items.size;
      if (a instanceof SequentialModel2) return a.layers.length;
      return a instanceof Unknown2 ? new Unknown2(this.t(site), a.reason, a.hole) : unknown(site, "length of a value that is not a list");
    });
    const numeric = (convert) => (args, _kw, site) => {
      const a = args[0];
      if (typeof a === "number" || typeof a === "boolean") return convert(Number(a));
      if (typeof a === "string" && a.trim() !== "" && !Number.isNaN(Number(a))) return convert(Number(a));
      return a instanceof Unknown2 ? new Unknown2(this.t(site), a.reason, a.hole) : unknown(site, "argument is not a number");
    };
    b("int", numeric(Math.trunc));
    b("float", numeric((n) => n));
    b("abs", numeric(Math.abs));
    b("round", (args, kw, site) => typeof args[0] === "number" && args.length === 1 ? Math.round(args[0]) : numeric((n) => n)(args, kw, site));
    b("str", (args, _kw, site) => isPrimitive2(args[0] ?? "") ? String(args[0] ?? "") : unknown(site, "argument is not a constant"));
    b("bool", (args, _kw, site) => truthy2(args[0] ?? false) ?? unknown(site, "argument is not a constant"));
    const listOf = (args, _kw, site) => {
      const a = args[0];
      if (a === void 0) return [];
      if (Array.isArray(a)) return [...a];
      if (typeof a === "string") return [...a];
      if (a instanceof PyDict) return [...a.items.keys()];
      return a instanceof Unknown2 ? new Unknown2(this.t(site), a.reason, a.hole) : unknown(site, "argument is not a list");
    };
    b("list", listOf);
    b("tuple", listOf);
    const extreme = (pick) => (args, _kw, site) => {
      const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
      return items.every((a) => typeof a === "number") && items.length ? pick(...items) : unknown(site, "arguments are not constant numbers");
    };
    b("min", extreme(Math.min));
    b("max", extreme(Math.max));
    b("sum", (args, _kw, site) => Array.isArray(args[0]) && args[0].every((a) => typeof a === "number") ? args[0].reduce((s, n) => s + n, args[1] ?? 0) : unknown(site, "argument is not a list of numbers"));
    b("enumerate", (args, kw, site) => {
      const start = typeof (args[1] ?? kw.get("start")) === "number" ? args[1] ?? kw.get("start") : 0;
      return Array.isArray(args[0]) ? args[0].map((v, i) => [i + start, v]) : unknown(site, "argument is not a list");
    });
    b("zip", (args, _kw, site) => {
      if (!args.length || !args.every(Array.isArray)) return unknown(site, "arguments are not lists");
      const lists = args;
      const n = Math.min(...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
    });
    b("reversed", (args, _kw, site) => Array.isArray(args[0]) ? [...args[0]].reverse() : unknown(site, "argument is not a list"));
    b("print", () => null);
    b("isinstance", (_args, _kw, site) => unknown(site, "types are not evaluated"));
  }
};

// src/core/python/index.ts
function parsePythonModels(text, fileName = "model.py", options = {}) {
  void fileName;
  const problems = [];
  const report = (message, range, severity = "warning") => {
    if (!problems.some((p) => p.message === message && p.range.start === range.start)) problems.push({ message, range, severity });
  };
  let evaluator;
  try {
    evaluator = new Evaluator(text, options);
    evaluator.run();
  } catch (error) {
    report(`Gradient Lens could not read this file (internal error: ${error instanceof Error ? error.message : String(error)}).`, { start: 0, end: 0 }, "error");
  }
  if (!evaluator) return { models: [], problems };
  for (const p of evaluator.problems) report(p.message, p.range, p.severity);
  const models = [];
  const usedNames = /* @__PURE__ */ new Map();
  const perRun = /* @__PURE__ */ new Map();
  const runKey = (m) => m.template ? `${m.template.fn}[${m.template.branch ?? ""}]` : "";
  for (const model of evaluator.models) if (model.template) perRun.set(runKey(model), (perRun.get(runKey(model)) ?? 0) + 1);
  for (const model of evaluator.models) {
    let name = model.name ?? "model";
    if (model.template) {
      const base = model.template.branch !== void 0 ? `${model.template.fn}[${model.template.branch}]` : model.template.fn;
      name = (perRun.get(runKey(model)) ?? 0) > 1 ? `${base}.${name}` : base;
    }
    const seen = usedNames.get(name) ?? 0;
    usedNames.set(name, seen + 1);
    if (seen) name = `${name} (${seen + 1})`;
    try {
      const graph = toGraph(model, name, evaluator);
      if (finishGraph(graph, report)) models.push(graph);
    } catch (error) {
      report(`Could not read model \`${name}\` (internal error: ${error instanceof Error ? error.message : String(error)}).`, model.range, "error");
    }
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems };
}
function toGraph(model, name, evaluator) {
  const functional = model instanceof FunctionalModel2;
  const nodes = functional ? nodesReaching(model.outputs.map((t) => t.node)) : model.layers.map((layer, order) => ({ layer, order }));
  const nextId = layerIds();
  const ids = /* @__PURE__ */ new Map();
  const layers = [];
  for (const node of nodes) {
    const layer = node.layer;
    const id = nextId(layer.type, layer.config.name);
    ids.set(node, id);
    const inbound = functional ? node.inbound.map((n) => ids.get(n)) : layers.length ? [layers[layers.length - 1].id] : [];
    const activation = typeof layer.config.activation === "string" ? layer.config.activation : void 0;
    layers.push({
      id,
      type: layer.type,
      known: layer.known,
      config: { ...layer.config },
      configRanges: { ...layer.configRanges },
      ...layer.configRange ? { configRange: layer.configRange } : {},
      range: layer.range,
      ...layer.iteration ? { iteration: layer.iteration } : {},
      ...layer.partOf ? { partOf: layer.partOf } : {},
      inbound,
      ...functional && node.inboundIndex ? { inboundOutputs: node.inboundIndex } : {},
      ...activation !== void 0 ? { activation } : {}
    });
  }
  const inputs = functional ? model.inputs.map((t) => ids.get(t.node)).filter((id) => !!id) : layers.length ? [layers[0].id] : [];
  const outputs = functional ? model.outputs.map((t) => t.index === 0 ? ids.get(t.node) : void 0).filter((id) => !!id) : layers.length ? [layers[layers.length - 1].id] : [];
  const firstInput = layers.find((layer) => layer.id === inputs[0]);
  const inputShape = firstInput ? declaredInputShape(firstInput) : void 0;
  const compile = model.compile ? toCompileInfo2(model.compile) : void 0;
  const flow = evaluator.flowHoles.filter((h) => h.model === model).map((h) => ({
    name: h.name,
    role: h.role,
    range: evaluator.holeRanges.get(h.name) ?? model.range,
    usedBy: [h.role === "repeat count" ? "how many layers a loop adds" : h.role === "condition" ? "which layers are built" : "the layers a loop adds"],
    suggestion: holeSuggestion(h.role, "", "py")
  }));
  const holes = mergeHoles([...collectHoles2(layers, compile, evaluator, model.range), ...flow]);
  const annotation = holes.length || model.template ? evaluator.annotationSite(model.range, model.template?.def) : void 0;
  return {
    name,
    kind: functional ? "functional" : "sequential",
    range: model.range,
    layers,
    inputs,
    outputs,
    ...inputShape ? { inputShape } : {},
    ...compile ? { compile } : {},
    ...holes.length ? { holes } : {},
    ...annotation ? { annotation } : {},
    ...model.template ? { builder: model.template.fn } : {}
  };
}
function toCompileInfo2(record) {
  return {
    range: record.range,
    configRanges: record.configRanges,
    ...record.configRange ? { configRange: record.configRange } : {},
    ...record.optimizer !== void 0 ? { optimizer: record.optimizer } : {},
    ...record.loss !== void 0 ? { loss: record.loss } : {},
    ...record.metrics !== void 0 ? { metrics: record.metrics } : {}
  };
}
function collectHoles2(layers, compile, evaluator, fallback) {
  const holes = [];
  const visit = (value, layerType, where, roleKey, index, length) => {
    if (value === void 0 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, layerType, where, roleKey, i, value.length));
      return;
    }
    if (isUnknownValue(value)) {
      if (!value.hole) return;
      const role = holeRole(layerType, roleKey, index, length);
      holes.push({ name: value.hole, role, range: evaluator.holeRanges.get(value.hole) ?? fallback, usedBy: [where], suggestion: holeSuggestion(role, layerType, "py") });
      return;
    }
    if ("$call" in value) {
      for (const arg of value.args) visit(arg, layerType, where, "");
      return;
    }
    for (const [key, v] of Object.entries(value)) visit(v, layerType, where, key);
  };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.config)) visit(value, layer.type, `${layer.id}.${key}`, key);
  }
  if (compile) {
    visit(compile.optimizer, "compile", "compile.optimizer", "optimizer");
    visit(compile.loss, "compile", "compile.loss", "loss");
  }
  return mergeHoles(holes);
}

// src/core/source.ts
function parseSource(text, fileName, options = {}) {
  const parsed = isPythonFile(fileName) ? parsePythonModels(text, fileName, { ...options.set ? { set: options.set } : {}, ...options.setFor ? { setFor: options.setFor } : {} }) : parseModels(text, fileName, options);
  return withTrainingFacts(text, parsed);
}

// .scratch/dump.ts
var f = process.argv[2];
var r = parseSource((0, import_node_fs.readFileSync)(f, "utf8"), f);
console.log(JSON.stringify(r.models.map((m) => ({ name: m.name, outputs: m.outputs, compile: m.compile, layers: m.layers.map((l) => ({ id: l.id, type: l.type, act: l.activation, cfg: l.config, shape: l.outputShape, range: l.range, inbound: l.inbound })) })), null, 1));
console.log(r.problems);
