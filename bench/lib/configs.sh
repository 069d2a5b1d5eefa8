# bench/lib/configs.sh: the configurations the bench scripts give the gateway and HAProxy.
# Sourced by bench/run, bench/compare-builds and bench/instructions, so that all three measure
# the same setup.
BENCH_CONFIGS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../configs" && pwd)

# bench_meridian_config FILE THREADS UPSTREAM_URL WORK_DIR MODEL: the gateway with one region
# (bench/configs/meridian.yaml.in), its token and history under WORK_DIR, named after FILE.
bench_meridian_config() {
  local file=$1 threads=$2 upstream=$3 work=$4 model=$5
  sed -e "s|@THREADS@|$threads|g" -e "s|@UPSTREAM@|$upstream|g" -e "s|@WORK@|$work|g" \
      -e "s|@MODEL@|$model|g" -e "s|@NAME@|$(basename "$file" .yaml)|g" "$BENCH_CONFIGS_DIR/meridian.yaml.in" >"$file"
}

# bench_haproxy_config FILE PORT UPSTREAM_PORT MAXCONN: HAProxy as a plain L7 reverse proxy,
# one thread, on 127.0.0.1:PORT in front of 127.0.0.1:UPSTREAM_PORT.
bench_haproxy_config() {
  cat >"$1" <<CFG
# bench: HAProxy as a plain L7 reverse proxy, one thread.
global
    nbthread 1
    maxconn $4
    log stderr format raw local0 err
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
    # Without it HAProxy holds small SSE chunks back (Nagle-like merging of short writes).
    option http-no-delay
    http-reuse always
frontend bench
    bind 127.0.0.1:$2
    default_backend upstream
backend upstream
    server up 127.0.0.1:$3
CFG
}
