import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CAPTION_WORDS,
  captionedShapes,
  HELD_OUT_COMBINATIONS,
  renderScene,
  SCENE_SIZE,
} from "../../src/data/captioned-shapes.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

const heldOut = (o: { colour: string; shape: string }) =>
  HELD_OUT_COMBINATIONS.some(([c, s]) => c === o.colour && s === o.shape);

test("captions follow the grammar and name shapes left to right or top to bottom", () => {
  const { scenes } = captionedShapes(200, new SeededRng(5), "any");
  const phrase = "a (small|large) (red|green|blue|yellow) (circle|square|triangle)";
  for (const scene of scenes) {
    assert.ok(scene.objects.length >= 1 && scene.objects.length <= 3);
    const relation = scene.layout === "column" ? " above " : " left of ";
    assert.match(scene.caption, new RegExp(`^${phrase}(${relation}${phrase}){0,2}$`));
    assert.equal(scene.caption.split(relation).length, scene.objects.length);
    for (const word of scene.caption.split(" "))
      assert.ok((CAPTION_WORDS as readonly string[]).includes(word));
    const axis = scene.layout === "column" ? 1 : 0;
    for (let i = 1; i < scene.objects.length; i++) {
      // the previous shape ends before this one starts along the layout's axis
      assert.ok(scene.objects[i - 1]!.box[axis + 2] <= scene.objects[i]!.box[axis]!, scene.caption);
    }
    for (const { box } of scene.objects) {
      assert.ok(box[0] >= 0 && box[1] >= 0 && box[2] <= SCENE_SIZE && box[3] <= SCENE_SIZE);
    }
  }
});

test("held-out colour–shape combinations: never in training scenes, in every held-out scene", () => {
  const train = captionedShapes(300, new SeededRng(1), "exclude");
  assert.ok(train.scenes.every((s) => !s.objects.some(heldOut)));
  const test = captionedShapes(100, new SeededRng(2), "require");
  assert.ok(test.scenes.every((s) => s.objects.some(heldOut)));
  // the same seed gives the same scenes and pixels
  const again = captionedShapes(100, new SeededRng(2), "require");
  assert.deepEqual(again.scenes, test.scenes);
  assert.deepEqual(again.data, test.data);
});

test("a scene's pixels: the shape's colour at its centre, black outside its box", () => {
  const scene = captionedShapes(1, new SeededRng(3), "any").scenes[0]!;
  const pixels = renderScene(scene);
  const n = SCENE_SIZE;
  const [x0, y0, x1, y1] = scene.objects[0]!.box;
  const [cx, cy] = [Math.floor((x0 + x1) / 2), Math.floor((y0 + y1) / 2) + 1];
  const rgb = [0, 1, 2].map((c) => pixels[c * n * n + cy * n + cx]!);
  assert.ok(Math.max(...rgb) > 0.7, `centre ${rgb}`);
  const inAnyBox = (x: number, y: number) =>
    scene.objects.some(({ box }) => x >= box[0] && x < box[2] && y >= box[1] && y < box[3]);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) if (!inAnyBox(x, y)) assert.equal(pixels[y * n + x], 0);
});
