// Copies the browser builds of our npm packages into static/vendor, which Django serves.
import { copyFileSync, mkdirSync } from "node:fs";

const files = [
  ["node_modules/echarts/dist/echarts.min.js", "static/vendor/echarts.min.js"],
  ["node_modules/htmx.org/dist/htmx.min.js", "static/vendor/htmx.min.js"],
];
mkdirSync("static/vendor", { recursive: true });
for (const [from, to] of files) copyFileSync(from, to);
console.log(`vendored ${files.length} files into static/vendor`);
