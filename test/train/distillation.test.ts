import assert from "node:assert/strict";
import { test } from "node:test";
import { randn, tensor } from "../../src/tensor/creation.js";
import { gradients } from "../../src/tensor/functional.js";
import { crossEntropy } from "../../src/tensor/functions.js";
import { checkDistillationSettings, distillationLoss } from "../../src/train/distillation.js";

const softmax = (row: number[], t: number) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp((v - m) / t));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

test("the distillation loss is α·T²·KL(teacher_T ‖ student_T) + (1 − α)·cross-entropy", () => {
  const student = randn([2, 3, 5], { seed: 1 });
  const teacher = randn([2, 3, 5], { seed: 2 }).mul(2);
  const targets = tensor([0, 4, 2, 1, 1, 3], [2, 3], { dtype: "int32" });
  const s = Array.from(student.dataSync());
  const t = Array.from(teacher.dataSync());
  const temperature = 2;
  let kl = 0;
  for (let p = 0; p < 6; p++) {
    const ps = softmax(s.slice(p * 5, p * 5 + 5), temperature);
    const pt = softmax(t.slice(p * 5, p * 5 + 5), temperature);
    for (let v = 0; v < 5; v++) kl += (pt[v]! * Math.log(pt[v]! / ps[v]!)) / 6;
  }
  const ce = crossEntropy(student, targets).item();
  const loss = distillationLoss(student, teacher, targets, { temperature, alpha: 0.3 }).item();
  assert.ok(Math.abs(loss - (0.3 * 4 * kl + 0.7 * ce)) < 1e-5, `${loss}`);
  assert.ok(
    Math.abs(distillationLoss(student, teacher, targets, { temperature, alpha: 0 }).item() - ce) < 1e-6,
  );
  assert.ok(Math.abs(distillationLoss(student, student, targets, { temperature, alpha: 1 }).item()) < 1e-6);
});

test("no gradient reaches the teacher", () => {
  const student = randn([1, 2, 4], { seed: 3 });
  const teacher = randn([1, 2, 4], { seed: 4 });
  const targets = tensor([1, 2], [1, 2], { dtype: "int32" });
  const [gTeacher] = gradients(distillationLoss(student, teacher, targets, { temperature: 1, alpha: 0.5 }), [
    teacher,
  ]);
  assert.ok(Array.from(gTeacher!.dataSync()).every((v) => v === 0));
});

test("bad distillation settings are named", () => {
  assert.throws(
    () => checkDistillationSettings({ teacher: "runs/t", temperature: 2, alpha: 0.5 }),
    /absolute path/,
  );
  assert.throws(
    () => checkDistillationSettings({ teacher: "/t", temperature: 0, alpha: 0.5 }),
    /temperature must be a number > 0/,
  );
  assert.throws(
    () => checkDistillationSettings({ teacher: "/t", temperature: 1, alpha: 2 }),
    /alpha must be in \[0, 1\]/,
  );
});
