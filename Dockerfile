# One image recipe for every LM Lab component; docker-compose.yml and infra/k8s pass MODULE and JAR.
#   docker build --build-arg MODULE=training-service --build-arg JAR=lmlab-training.jar -t lmlab/training .
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
ARG MODULE
RUN ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -pl "${MODULE}" -am package

FROM eclipse-temurin:17-jre
ARG MODULE
ARG JAR
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/lmlab lmlab \
    && mkdir -p /data && chown lmlab /data
COPY --from=build /src/${MODULE}/target/${JAR} /app/app.jar
USER lmlab
ENV LMLAB_HOME=/data \
    DJL_CACHE_DIR=/home/lmlab/.djl.ai \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Dai.djl.offline=true"
# the Vector API module is what lm-core's CPU decode kernels run on
ENTRYPOINT ["java", "--add-modules=jdk.incubator.vector", "-jar", "/app/app.jar"]
