#!/usr/bin/env node
// Placeholder: replaced by the ajv standalone generator.
const fs = require('fs'); const path = require('path');
fs.mkdirSync(path.dirname(process.argv[3]), { recursive: true });
fs.writeFileSync(process.argv[3], 'module.exports = function validate() { return true; };\n');
