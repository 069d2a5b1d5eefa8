// meridian-ctl: the admin CLI. Wiring only: the command line becomes one request to the
// gateway's /admin/ API (docs/admin-api.md) and its answer a table, or the JSON with --json.
//
// Exit codes: 0 done, 1 the gateway refused or failed, 2 usage error (nothing was sent),
// 3 the gateway cannot be reached, or the admin token is missing, unreadable or rejected
// (`history export --output FILE` that cannot write FILE: 1).
// The token is never printed; messages say where it was read from.

#include "app/ctl/CtlCommands.h"
#include "app/ctl/CtlHttp.h"
#include "app/ctl/CtlOutput.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QProcessEnvironment>

#include <cstdio>

namespace {

void printErr(const QString &text)
{
    std::fprintf(stderr, "meridian-ctl: %s\n", text.toUtf8().constData());
}

} // namespace

int main(int argc, char *argv[])
{
    using namespace meridian::ctl;
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("meridian-ctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MERIDIAN_VERSION));
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();

    const meridian::Result<Invocation> parsed = parseCommandLine(QCoreApplication::arguments(), env);
    if (!parsed) {
        printErr(parsed.error().message);
        return kExitUsage;
    }
    const Invocation &inv = parsed.value();
    if (inv.mode == Invocation::Mode::Help) {
        std::fputs(usageText().toUtf8().constData(), stdout);
        return kExitOk;
    }
    if (inv.mode == Invocation::Mode::Version) {
        std::printf("meridian-ctl %s\n", MERIDIAN_VERSION);
        return kExitOk;
    }

    const meridian::Result<Token> token = resolveToken(inv, env);
    if (!token) {
        printErr(QStringLiteral("no usable admin token: %1 (the gateway writes its token file on first start; "
                                "pass --token-file FILE or set MERIDIAN_ADMIN_TOKEN)")
                     .arg(token.error().message));
        return kExitUnreachable;
    }

    HttpCall call;
    call.url = requestUrl(inv.gateway, inv.request);
    call.method = inv.request.method;
    if (inv.request.method == "POST")
        call.body = QJsonDocument(inv.request.body).toJson(QJsonDocument::Compact);
    call.headers.append({QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + token.value().value});
    if (!inv.actor.isEmpty())
        call.headers.append({QByteArrayLiteral("X-Meridian-Actor"), inv.actor.toUtf8()});
    const bool isExport = inv.request.command == Command::HistoryExport;
    if (isExport)
        call.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("text/csv, application/json")});
    const HttpAnswer answer = exchange(call, inv.timeoutMs);

    RenderContext context;
    context.json = inv.json;
    context.gateway = inv.gateway.toDisplayString(QUrl::RemoveUserInfo);
    context.tokenSource = token.value().source;
    context.now = QDateTime::currentDateTimeUtc();
    Rendered rendered = isExport ? renderExport(inv.request, answer, context) : render(inv.request, answer, context);
    if (isExport && rendered.exitCode == kExitOk && !inv.output.isEmpty()) {
        // Into the file, all or nothing; standard output stays empty.
        if (const meridian::Result<bool> saved = saveFile(inv.output, rendered.out); !saved) {
            printErr(saved.error().message);
            return kExitRefused;
        }
        rendered.out.clear();
    }
    std::fwrite(rendered.out.constData(), 1, static_cast<size_t>(rendered.out.size()), stdout);
    std::fwrite(rendered.err.constData(), 1, static_cast<size_t>(rendered.err.size()), stderr);
    return rendered.exitCode;
}
