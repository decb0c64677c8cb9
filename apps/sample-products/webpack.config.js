// The same bundle as the Nest apps: one file, workspace libs inlined, node_modules external.
module.exports = require('../../tools/webpack/nest-app.webpack')(__dirname);
