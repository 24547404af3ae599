// Tests for the pure kNN function in knn.js. Dependency-free: run with `node --test`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { knnPredict } = require("./knn.js");

const points = [
  { x: 6.5, y: 8, label: "apple" },
  { x: 6.2, y: 7, label: "apple" },
  { x: 7.2, y: 8.8, label: "apple" },
  { x: 3.0, y: 8.6, label: "cherry" },
  { x: 2.8, y: 9.3, label: "cherry" },
  { x: 6.0, y: 3.0, label: "banana" },
];

test("k = 1 takes the single nearest card", () => {
  const r = knnPredict(points, { x: 3.1, y: 8.5 }, 1);
  assert.equal(r.label, "cherry");
  assert.equal(r.k, 1);
  assert.equal(r.neighbors[0].index, 3);
  assert.deepEqual(r.votes, { cherry: 1 });
  assert.equal(r.tie, false);
});

test("k = 3 votes like the lesson's diagram: 2 apples, 1 cherry", () => {
  const r = knnPredict(points, { x: 5.0, y: 8.0 }, 3);
  assert.equal(r.label, "apple");
  assert.deepEqual(r.votes, { apple: 2, cherry: 1 });
  assert.deepEqual(r.neighbors.map((n) => n.index), [0, 1, 3]);
  assert.ok(Math.abs(r.neighbors[0].distance - 1.5) < 1e-9);
});

test("neighbours are sorted nearest first and distances are Euclidean", () => {
  const r = knnPredict([{ x: 4, y: 5, label: "a" }, { x: 1, y: 1, label: "b" }], { x: 1, y: 1 }, 2);
  assert.deepEqual(r.neighbors.map((n) => n.distance), [0, 5]);
});

test("k larger than the number of cards uses all cards", () => {
  const r = knnPredict(points, { x: 0, y: 0 }, 50);
  assert.equal(r.k, points.length);
  assert.deepEqual(r.votes, { apple: 3, cherry: 2, banana: 1 });
  assert.equal(r.label, "apple");
});

test("a tie goes to the label of the nearest tied neighbour", () => {
  const two = [
    { x: 2, y: 0, label: "far" },
    { x: 1, y: 0, label: "near" },
  ];
  const r = knnPredict(two, { x: 0, y: 0 }, 2);
  assert.equal(r.tie, true);
  assert.equal(r.label, "near");
});

test("a mislabelled card misleads k = 1 but is outvoted at k = 5", () => {
  const cards = [
    { x: 5, y: 5, label: "cherry" }, // the "wrong" card among apples
    { x: 5.5, y: 5, label: "apple" },
    { x: 4.5, y: 5, label: "apple" },
    { x: 5, y: 5.6, label: "apple" },
    { x: 5, y: 4.4, label: "apple" },
  ];
  assert.equal(knnPredict(cards, { x: 5.1, y: 5 }, 1).label, "cherry");
  assert.equal(knnPredict(cards, { x: 5.1, y: 5 }, 5).label, "apple");
});

test("equal distances keep input order (deterministic)", () => {
  const cards = [
    { x: 1, y: 0, label: "a" },
    { x: -1, y: 0, label: "b" },
  ];
  assert.equal(knnPredict(cards, { x: 0, y: 0 }, 1).label, "a");
});

test("no cards: no prediction", () => {
  const r = knnPredict([], { x: 1, y: 1 }, 3);
  assert.equal(r.label, null);
  assert.equal(r.k, 0);
  assert.deepEqual(r.neighbors, []);
});

test("k must be a positive integer", () => {
  assert.throws(() => knnPredict(points, { x: 0, y: 0 }, 0), RangeError);
  assert.throws(() => knnPredict(points, { x: 0, y: 0 }, "x"), RangeError);
});

test("the input array is not modified", () => {
  const copy = JSON.parse(JSON.stringify(points));
  knnPredict(points, { x: 5, y: 5 }, 3);
  assert.deepEqual(points, copy);
});
