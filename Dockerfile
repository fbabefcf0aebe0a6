# syntax=docker/dockerfile:1
#
# The image of `plan`, which the Argo Workflows export runs in every step's pod (`plan step <plan> <id>`),
# and which runs any other `plan` verb too. Build it at the root of the repository:
#
#   docker build -t plan:$(node -p 'require("./package.json").version') .
#
# then push it where the site's cluster pulls from, and export with `--image <that reference>`.

ARG NODE_VERSION=20

# Build: `npm ci` installs every dependency and runs `prepare`, which compiles src/ to dist/.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund

# Run: the production dependencies, the compiled code and the files `plan` reads at run time (its
# package.json for the version, the checklist templates, the grammar), and the OpenSSH client that
# command steps on hosts use.
FROM node:${NODE_VERSION}-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts: `prepare` (the build) is done already; ssh2's optional native crypto is not needed.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY templates ./templates
COPY grammar ./grammar
RUN chmod 0755 bin/plan.js && ln -s /app/bin/plan.js /usr/local/bin/plan
# The node image's `node` user, by number, so that Kubernetes can check `runAsNonRoot`.
USER 1000:1000
ENTRYPOINT ["plan"]
CMD ["--help"]
