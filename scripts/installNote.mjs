// After `npm ci`: when npm itself ran on an older Node, its EBADENGINE warnings are about that
// Node only. npm names its own Node in npm_config_user_agent ("npm/11.0.0 node/v20.0.0 ..."); the
// Node running this script is the project's own.
const npmNode = /\bnode\/v(\d+)\.[^\s]*/.exec(process.env.npm_config_user_agent ?? '');
if (npmNode && Number(npmNode[1]) < 22) {
  process.stdout.write(
    `\nnpm ran on Node ${npmNode[0].slice('node/'.length)}: the EBADENGINE warnings above concern that Node only.\n` +
      `The project runs on its own Node ${process.versions.node} (the "node" dev dependency, first on the PATH\n` +
      'of every npm script): npm start and npm test use it, nothing else to install.\n\n',
  );
}
