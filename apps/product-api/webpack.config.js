// nx-ignore-next-line: the shared build config (an input of build), not code of the app
module.exports = require('../../tools/webpack/nest-app.webpack')(__dirname);
