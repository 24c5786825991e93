"""CAMT.053.001.08 statements as a French bank exports them, built for the tests."""

from dataclasses import dataclass
from datetime import date

from lxml import etree
from lxml.builder import ElementMaker

from accounting.bank import CAMT053

E = ElementMaker(namespace=CAMT053, nsmap={None: CAMT053})


@dataclass
class Entry:
    reference: str
    amount: str
    credit: bool  # money in
    counterparty: str = ""
    remittance: str = ""
    status: str = "BOOK"
    booked_on: date | None = None


def _entry(entry: Entry, day: date):
    side = "Dbtr" if entry.credit else "Cdtr"
    details = []
    if entry.counterparty:
        details.append(E.RltdPties(getattr(E, side)(E.Pty(E.Nm(entry.counterparty)))))
    if entry.remittance:
        details.append(E.RmtInf(E.Ustrd(entry.remittance)))
    return E.Ntry(
        E.Amt(entry.amount, Ccy="EUR"),
        E.CdtDbtInd("CRDT" if entry.credit else "DBIT"),
        E.Sts(E.Cd(entry.status)),
        E.BookgDt(E.Dt((entry.booked_on or day).isoformat())),
        E.ValDt(E.Dt((entry.booked_on or day).isoformat())),
        E.AcctSvcrRef(entry.reference),
        E.BkTxCd(E.Domn(E.Cd("PMNT"), E.Fmly(E.Cd("RCDT"), E.SubFmlyCd("ESCT")))),
        E.NtryDtls(E.TxDtls(*details)),
    )


def statement(iban: str, day: date, entries: list[Entry], namespace: str = CAMT053) -> bytes:
    maker = (
        E if namespace == CAMT053 else ElementMaker(namespace=namespace, nsmap={None: namespace})
    )
    document = maker.Document(
        maker.BkToCstmrStmt(
            maker.GrpHdr(maker.MsgId(f"STMT-{day:%Y%m%d}"), maker.CreDtTm(f"{day}T06:00:00")),
            maker.Stmt(
                maker.Id(f"{day:%Y%m%d}-1"),
                maker.CreDtTm(f"{day}T06:00:00"),
                maker.Acct(maker.Id(maker.IBAN("".join(iban.split()))), maker.Ccy("EUR")),
                maker.Bal(
                    maker.Tp(maker.CdOrPrtry(maker.Cd("OPBD"))),
                    maker.Amt("1000.00", Ccy="EUR"),
                    maker.CdtDbtInd("CRDT"),
                    maker.Dt(maker.Dt(day.isoformat())),
                ),
                *[_entry(entry, day) for entry in entries],
            ),
        )
    )
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")
