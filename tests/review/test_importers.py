"""Import parsers: every format and every quirk real exports have, on small hand-written fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.importers import FORMATS, ImportFileError, ParseResult, decode, detect_format, parse
from review.importers.normalise import doi_from

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

RIS_TWO = "TY  - JOUR\nTI  - First title\nPY  - 2020\nER  - \n\nTY  - JOUR\nTI  - Second title\nPY  - 2021\nER  - \n"


def fixture(name: str) -> ParseResult:
    return parse((FIXTURES / name).read_bytes(), filename=name)


def warnings_about(result: ParseResult, needle: str) -> list[str]:
    return [p.message for p in result.problems if needle.lower() in p.message.lower()]


# --- decoding --------------------------------------------------------------------------------------


def test_utf8_bom_does_not_drop_record_one() -> None:
    result = parse(b"\xef\xbb\xbf" + RIS_TWO.encode())
    assert result.encoding == "utf-8-sig"
    assert [r.title for r in result.records] == ["First title", "Second title"]
    assert result.records[0].line == 1


def test_utf16_le_and_be_with_bom_are_decoded() -> None:
    for bom, codec, label in ((b"\xff\xfe", "utf-16-le", "utf-16-le"), (b"\xfe\xff", "utf-16-be", "utf-16-be")):
        result = parse(bom + RIS_TWO.encode(codec))
        assert result.encoding == label
        assert len(result.records) == 2


def test_utf16_le_without_bom_is_decoded_for_tab_delimited() -> None:
    text = "PT\tAU\tTI\tPY\tUT\nJ\tAhmed, S\tSoil carbon\t2020\tWOS:000000000000001\n"
    text_decoded, encoding = decode(text.encode("utf-16-le"))
    assert encoding == "utf-16-le"
    assert text_decoded == text
    result = parse(text.encode("utf-16-le"))
    assert result.format == "csv"
    assert result.records[0].title == "Soil carbon"
    assert result.records[0].accession_numbers == ["wos:000000000000001"]


def test_utf16_without_bom_tagged_file_is_refused_with_advice() -> None:
    with pytest.raises(ImportFileError, match="UTF-16 text without a byte-order mark"):
        parse("@article{k, title={T}}\n".encode("utf-16-le"), filename="x.bib")


def test_cp1252_file_is_decoded() -> None:
    data = "TY  - JOUR\nTI  - Temperature 25° C and café workers\nER  - \n".encode("cp1252")
    result = parse(data)
    assert result.encoding == "cp1252"
    assert result.records[0].title == "Temperature 25° C and café workers"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_give_the_same_records_and_lines(newline: str) -> None:
    result = parse(RIS_TWO.replace("\n", newline).encode())
    assert [r.title for r in result.records] == ["First title", "Second title"]
    assert [r.line for r in result.records] == [1, 6]


def test_cr_inside_a_value_is_a_continuation() -> None:
    data = b"TY  - JOUR\r\nTI  - A title\r\nAB  - First part\rsecond part\r\nER  - \r\n"
    record = parse(data).records[0]
    assert record.abstract == "First part\nsecond part"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"TY  - JOUR\n\x00\x01\x02\x03\x00\x00binary\x00", "NUL"),
    ],
)
def test_non_text_files_are_refused(data: bytes, what: str) -> None:
    with pytest.raises(ImportFileError, match=what):
        parse(data)


def test_empty_file_is_refused() -> None:
    with pytest.raises(ImportFileError, match="empty"):
        parse(b"")
    with pytest.raises(ImportFileError, match="blank"):
        parse(b"\n\n  \n")


def test_file_without_records_is_refused_with_the_reason() -> None:
    with pytest.raises(ImportFileError, match="No RIS record found"):
        parse(b"Provider: Example\nTI  - An orphan title\n", format="ris")
    with pytest.raises(ImportFileError, match="header row but no data rows"):
        parse(b"Title,Authors,Year\n")
    with pytest.raises(ImportFileError, match="Unrecognised export format") as error:
        parse(b"Dear colleague,\nplease find the references attached.\n")
    assert "line 1" in str(error.value).lower()


def test_explicit_format_overrides_detection() -> None:
    with pytest.raises(ImportFileError, match="No Web of Science record"):
        parse(RIS_TWO.encode(), format="wos")
    # Cochrane's 'Record #1 of N' header also opens RIS files; the caller can insist on plain text.
    text = b"Record #1 of 1\nID: CN-01234567\nTI: Forced\n"
    assert parse(text, format="cochrane").records[0].title == "Forced"
    with pytest.raises(ImportFileError, match="Unknown import format"):
        parse(RIS_TWO.encode(), format="docx")


# --- format detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TY  - JOUR\nER  - \n", "ris"),
        ("TY - JOUR\nTI - Old EndNote\nER - \n", "ris"),
        ("Record #3 of 18\nProvider: X\n\nTY  -  JOUR\nER  -  \n", "ris"),
        ("PMID- 123\nTI  - x\n", "nbib"),
        ("PMC - PMC123\nPMID- 1\n", "nbib"),
        ("\nOWN - ERIC\nTI  - x\n", "nbib"),
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI x\nER\n", "wos"),
        ("PT J\nAU Smith, J\nTI x\nER\n", "wos"),
        ("PT\tAU\tTI\nJ\tA\tB\n", "csv"),
        ("<1. >\nVN  - Ovid Technologies\nTI  - x\n", "ovid"),
        ("Record #1 of 1\nID: CN-01234567\nTI: x\n", "cochrane"),
        ('<?xml version="1.0"?><xml><records><record></record></records></xml>', "endnote-xml"),
        ("Scopus\nEXPORT DATE: 1 May 2023\n\n@ARTICLE{a, title={x}}\n", "bibtex"),
        ('"Title","Authors","Year"\n"x","y","2020"\n', "csv"),
        ('"SEARCH QUERY","x"\n""\n"Title","Author Names"\n', "csv"),
    ],
)
def test_detect_format_from_content(text: str, expected: str) -> None:
    assert detect_format(text) == expected
    assert expected in FORMATS


def test_detect_format_names_what_it_saw() -> None:
    with pytest.raises(ImportFileError, match="RefWorks"):
        detect_format("RT Journal Article\nA1 Smith, J\n")
    with pytest.raises(ImportFileError, match="PubmedArticleSet"):
        detect_format('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>')


# --- RIS ------------------------------------------------------------------------------------------


def test_ris_tag_spacing_variants() -> None:
    for text in (
        "TY - JOUR\nTI - Single spaces\nER - \n",
        "TY  -  JOUR\nTI  -  Two spaces after the dash\nER  -  \n",
    ):
        record = parse(text.encode()).records[0]
        assert record.title in ("Single spaces", "Two spaces after the dash")


def test_ris_junk_lines_between_records_are_ignored() -> None:
    text = "1. \nTY  - JOUR\nTI  - One\nER  - \n\nRecord #2 of 18\n2.\nTY  - JOUR\nTI  - Two\nER  - \n"
    result = parse(text.encode())
    assert [r.title for r in result.records] == ["One", "Two"]
    assert [r.line for r in result.records] == [2, 8]


def test_ris_continuation_lines_join_the_previous_value() -> None:
    text = "TY  - JOUR\nTI  - A long title\n  that wraps\nKW  - first\nsecond\nER  - \n"
    record = parse(text.encode()).records[0]
    assert record.title == "A long title that wraps"
    assert record.keywords == ["first", "second"]


def test_ris_repeated_tags_are_all_kept() -> None:
    record = fixture("embase.ris").records[0]
    assert [v for t, v in record.raw if t == "DB"] == ["Embase", "Medline"]
    assert record.authors == ["Haddad, R.", "Novak, P."]


def test_ris_missing_final_er_imports_the_record_with_a_warning() -> None:
    result = parse(b"TY  - JOUR\nTI  - Kept\nER  - \nTY  - JOUR\nTI  - Also kept\n")
    assert [r.title for r in result.records] == ["Kept", "Also kept"]
    missing = [p for p in result.problems if "ER" in p.message]
    assert len(missing) == 1
    assert missing[0].record == 2 and missing[0].line == 4 and missing[0].severity == "warning"


def test_ris_missing_er_between_records_is_reported() -> None:
    result = parse(b"TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n")
    assert len(result.records) == 2
    assert warnings_about(result, "no 'ER  -' end line before the next")


def test_ebsco_copyright_abstract_is_not_abstract_text() -> None:
    result = fixture("ebsco_cinahl.ris")
    record = result.records[0]
    assert record.abstract == "Handover checklists were introduced on four wards; errors fell by a third."
    assert sum(1 for t, _ in record.raw if t == "AB") == 2  # still kept in the raw data
    assert record.doi == "10.5555/jwn.2021.0142"  # from L3
    assert record.source_database == "CINAHL"
    assert record.accession_numbers == ["ebsco:rzh:150123456"]
    assert record.pages == "101-109"
    assert record.year == 2021
    assert record.issn == ["1234-5679"]
    assert result.records[1].source_database == "CINAHL"  # ccm
    assert result.database == "CINAHL"


def test_html_in_titles_is_kept_as_text() -> None:
    record = fixture("ebsco_cinahl.ris").records[1]
    assert record.title == "Falls after <i>in situ</i> simulation training"


def test_embase_com_identifiers() -> None:
    result = fixture("embase.ris")
    record = result.records[0]
    assert record.doi == "10.7777/crr.2023.0008"  # from the L2 dx.doi.org URL
    assert record.pmid == "36111222"  # C5
    assert record.accession_numbers == ["embase:2011112222"]
    assert record.source_database == "Embase"
    assert record.journal == "Clinical Respiratory Reports"
    assert record.journal_abbrev == "Clin. Respir. Rep."
    assert result.database == "Embase"


def test_cochrane_ris_with_provider_preamble() -> None:
    result = fixture("cochrane_refman.ris")
    assert [r.line for r in result.records] == [5, 23]
    record = result.records[0]
    assert record.pmid == "30123456"  # C3 'PUBMED n'
    assert "embase:620123456" in record.accession_numbers
    assert "cochrane:CN-01234567" in record.accession_numbers
    assert record.abstract == "Walking improved at twelve weeks."
    assert result.database == "Cochrane Library"


def test_ovid_ris_doi_url_and_id_as_pmid_only_for_medline() -> None:
    result = fixture("ovid_medline.ris")
    medline, psycinfo = result.records
    assert medline.doi == "10.4444/abc.2019.77"  # dx.doi.org URL, trailing full stop trimmed
    assert medline.pmid == "31234567"
    assert medline.source_database == "MEDLINE"
    assert psycinfo.pmid == ""
    assert psycinfo.accession_numbers == ["psycinfo:2020-12345-001"]
    assert psycinfo.source_database == "PsycINFO"


@pytest.mark.parametrize(
    ("tags", "doi", "pmid"),
    [
        ("DO  - https://doi.org/10.1000/ABC.1\n", "10.1000/abc.1", ""),
        ("M3  - 10.1000/scifinder.2\n", "10.1000/scifinder.2", ""),
        ("N1  - 10.1000/endnote.3\n", "10.1000/endnote.3", ""),
        ("LK  - https://x.example/link?id=doi:10.1000%2Fencoded.4&atitle=x\n", "10.1000/encoded.4", ""),
        ("UR  - https://doi.org/10.1000/url.5\n", "10.1000/url.5", ""),
        ("DP  - NLM\nAN  - 12345678\n", "", "12345678"),
        ("PMID  - 23456789\n", "", "23456789"),
        ("C2  - 34567890\n", "", "34567890"),
        ("U1  - 35957633 [PMID]\nU1  - PMC9359172 [PMCID]\n", "", "35957633"),
    ],
)
def test_ris_doi_and_pmid_locations(tags: str, doi: str, pmid: str) -> None:
    record = parse(f"TY  - JOUR\nTI  - T\n{tags}ER  - \n".encode()).records[0]
    assert record.doi == doi
    assert record.pmid == pmid


def test_ris_wos_accession_names_the_database() -> None:
    result = parse(b"TY  - JOUR\nTI  - T\nAN  - WOS:000391862900014\nER  - \n")
    assert result.records[0].accession_numbers == ["wos:000391862900014"]
    assert result.records[0].source_database == "Web of Science"
    assert result.database == "Web of Science"


def test_ris_unknown_tag_warned_once_per_file_with_first_location() -> None:
    result = parse(b"TY  - JOUR\nTI  - A\nZZ  - x\nER  - \nTY  - JOUR\nTI  - B\nZZ  - y\nER  - \n")
    unknown = [p for p in result.problems if "'ZZ'" in p.message]
    assert len(unknown) == 1
    assert (unknown[0].record, unknown[0].line) == (1, 3)
    assert ("ZZ", "y") in result.records[1].raw


def test_record_without_title_or_abstract_and_bad_year_warn() -> None:
    result = parse(b"TY  - JOUR\nAU  - Smith, J\nPY  - n.d.\nER  - \n")
    messages = [p.message for p in result.problems]
    assert any("neither a title nor an abstract" in m for m in messages)
    assert any("Unparseable year 'n.d.'" in m for m in messages)
    assert result.records[0].year is None


# --- MEDLINE ---------------------------------------------------------------------------------------


def test_medline_records_fields_and_lines() -> None:
    result = fixture("pubmed.nbib")
    assert result.format == "nbib" and result.database == "PubMed"
    first, second = result.records
    assert (first.line, second.line) == (1, 27)
    assert first.title == "Balloon guide catheters in thrombectomy: a systematic review and meta-analysis."
    assert first.abstract.startswith("BACKGROUND: Flow arrest") and "sixteen studies." in first.abstract
    assert first.authors == ["Novak, Petra", "O'Brien, Sean"]
    assert first.doi == "10.1234/neuro-2017-0001"
    assert (first.pmid, first.pmcid) == ("29000001", "PMC6000001")
    assert first.year == 2018
    assert first.journal_abbrev == "J Ex Neurointerv Surg"
    assert first.mesh == ["Thrombectomy", "Stroke/therapy"]
    assert first.keywords == ["balloon guide catheter"]
    assert first.issn == ["1759-8486"]
    assert second.doi == ""  # a [pii] is not a DOI


def test_medline_eric_records_start_with_own() -> None:
    text = "\nOWN - ERIC\nTI  - Computer-based tests\nOID - EJ1000001\nDP  - 2020\n\nOWN - ERIC\nTI  - Second\n"
    result = parse(text.encode())
    assert [r.title for r in result.records] == ["Computer-based tests", "Second"]
    assert result.records[0].accession_numbers == ["eric:EJ1000001"]
    assert result.database == "ERIC"


# --- Web of Science, Ovid, Cochrane ---------------------------------------------------------------


def test_wos_plain_text() -> None:
    result = fixture("wos.txt")
    assert result.format == "wos" and result.database == "Web of Science"
    record = result.records[0]
    assert record.line == 3
    assert record.authors == ["Ahmed, Sara", "Berg, Karin"]
    assert record.title == "Soil carbon under long-term no-till farming: a meta-analysis of field trials"
    assert record.doi == "10.1016/j.agee.2020.107000"
    assert record.pmid == "32000001"
    assert record.accession_numbers == ["wos:000530000000001"]
    assert record.pages == "107-118"
    assert record.issn == ["0167-8809", "1873-2305"]
    assert record.journal_abbrev == "Agric. Ecosyst. Environ."
    assert record.keywords == ["no-till", "soil carbon", "meta-analysis"]
    assert result.records[1].authors == ["Costa, M"]


def test_ovid_tagged() -> None:
    result = fixture("ovid_tagged.txt")
    embase, medline = result.records
    assert embase.source_database == "Embase"
    assert embase.pmid == "29000003"  # PM, while UI is Embase's own number
    assert embase.accession_numbers == ["embase:621000001"]
    assert embase.doi == "10.1186/s12919-018-0001-1"
    assert embase.mesh == ["adult", "quality of life"]
    assert medline.pmid == "30111222"
    assert (medline.volume, medline.issue, medline.pages) == ("74", "2", "150-155")


def test_cochrane_plain_text() -> None:
    result = fixture("cochrane.txt")
    assert result.format == "cochrane"
    record = result.records[0]
    assert record.pmid == "32000002"
    assert record.doi == "10.9999/jee.2020.200"
    assert record.accession_numbers == ["cochrane:CN-02000001", "embase:631000001"]
    assert record.authors == ["Patel R", "Jones K"]
    assert record.keywords == ["Anxiety", "Students", "Mindfulness"]
    assert result.records[1].line == 19


# --- EndNote XML, BibTeX, CSV ---------------------------------------------------------------------


def test_endnote_xml() -> None:
    result = fixture("endnote.xml")
    record = result.records[0]
    assert record.title == "Copper surfaces and Staphylococcus counts <b>in ICUs</b>"  # markup kept as text
    assert record.authors == ["Garcia, Elena", "Ito, Ken"]
    assert record.pmid == "28000004"  # AN from an NLM-provided record
    assert record.doi == "10.3333/ict.2017.12"
    assert record.journal_abbrev == "Infect Control Today"
    assert [r.line for r in result.records] == [3, 4]
    assert warnings_about(result, "Unparseable year '20xx'")


def test_endnote_xml_malformed_is_refused_with_line() -> None:
    with pytest.raises(ImportFileError, match="not well-formed") as error:
        parse(b'<?xml version="1.0"?>\n<xml><records>\n<record><title>x</record>\n')
    assert error.value.line == 3


def test_endnote_xml_entity_expansion_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><records><record>&a;</record></records></xml>'
    with pytest.raises(ImportFileError):
        parse(bomb)


def test_bibtex_scopus() -> None:
    result = fixture("scopus.bib")
    assert result.database == "Scopus"
    record = result.records[0]
    assert record.line == 4
    assert record.authors == ["Ruiz, M.", "World Health Organization", "Chen, L."]
    assert record.title == "Blockchain traceability for medicines: a Scoping review"
    assert record.abstract == "We mapped 40 studies & found few trials."
    assert record.pages == "1-15"
    assert record.doi == "10.2222/jep.2022.001"
    assert record.keywords == ["blockchain", "supply chain"]
    assert record.accession_numbers == ["scopus:2-s2.0-85100000001"]
    assert record.issn == ["1234-5679"]


def test_scopus_csv_with_bom() -> None:
    result = fixture("scopus.csv")
    assert (result.format, result.database, result.encoding) == ("csv", "Scopus", "utf-8-sig")
    record = result.records[0]
    assert record.authors == ["Ito K.", "Garcia E."]
    assert record.pmid == "32000003"  # 'PubMed ID'
    assert record.pages == "5-9"
    assert record.accession_numbers == ["scopus:2-s2.0-85000000001"]
    assert record.line == 2


def test_embase_csv_search_query_preamble_and_multiline_cell() -> None:
    result = fixture("embase_preamble.csv")
    assert result.database == "Embase"
    (record,) = result.records
    assert record.line == 5
    assert record.abstract == "A study of rounds.\nSecond paragraph."
    assert record.pmid == "32000003"
    assert record.year == 2020
    assert record.accession_numbers == ["embase:2000000001"]


def test_ebsco_csv_excel_guards_are_unwrapped() -> None:
    (record,) = fixture("ebsco_guard.csv").records
    assert record.issn == ["0012-3456"]
    assert record.accession_numbers == ["000123456"]
    assert record.authors == ["Okafor, Adaeze", "Lindqvist, Per"]
    assert record.source_database == "CINAHL"


@pytest.mark.parametrize(
    "url",
    [
        "http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=medp&NEWS=N&AN=39012781",
        "https://pubmed.ncbi.nlm.nih.gov/39012781/",
        "http://resolver.example/?sid=OVID:medline&id=pmid:39012781&issn=1",
    ],
)
def test_pmid_from_links(url: str) -> None:
    record = parse(f"TY  - JOUR\nTI  - T\nL2  - {url}\nER  - \n".encode()).records[0]
    assert record.pmid == "39012781"


def test_ovid_embase_link_is_not_a_pmid() -> None:
    url = "http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=emed21&NEWS=N&AN=621381829"
    record = parse(f"TY  - JOUR\nTI  - T\nL2  - {url}\nER  - \n".encode()).records[0]
    assert record.pmid == ""


def test_csv_raw_keeps_the_file_column_names() -> None:
    (record,) = fixture("ebsco_guard.csv").records
    assert record.raw[0] == ("Title", "Nurse staffing and mortality")
    assert ("Accession Number", "000123456") in record.raw


def test_html_page_saved_instead_of_the_export_is_refused() -> None:
    with pytest.raises(ImportFileError, match="HTML web page"):
        parse(b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body></body></html>\n")


def test_pmc_medlars_records() -> None:
    text = (
        "PMC - PMC6000002\nPMID- 30000002\nTI  - A PMC record\nAB  - \nOAB - Publisher: Abstract available.\n"
        "FAU - Takeuchi, Yuichi\nDP  - 2018\nPG  - 283-98\n\nPMC - PMC6000003\nTI  - Without a PMID\n"
    )
    result = parse(text.encode())
    first, second = result.records
    assert (first.pmcid, first.pmid, first.pages) == ("PMC6000002", "30000002", "283-98")
    assert second.source_database == "PMC"
    assert warnings_about(result, "Unknown MEDLINE tag") == []


def test_pubmed_csv() -> None:
    text = (
        "PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,NIHMS ID,DOI\n"
        '31000001,"Sleep and recovery","Novak P, Lee M, Ito K.","J Sleep. 2019;3(2):1-9.",Novak P,J Sleep,2019,'
        "2019/05/01,PMC6500001,,10.5555/jsleep.2019.1\n"
    )
    result = parse(text.encode())
    assert result.database == "PubMed"
    (record,) = result.records
    assert record.authors == ["Novak P", "Lee M", "Ito K."]
    assert (record.pmid, record.pmcid, record.doi, record.year) == (
        "31000001",
        "PMC6500001",
        "10.5555/jsleep.2019.1",
        2019,
    )
    assert record.journal == "J Sleep"


def test_cochrane_and_zotero_csv() -> None:
    cochrane = (
        "CENTRAL ID,Author(s),Title,Source,Year,Abstract,Volume,Issue,Pages,PubMed ID,DOI\n"
        '"CN-00000001","Bywater, T; Parry, L","A school trial","Trials",2011,"Abstract text",12,,39,21300000,'
        "10.1186/x.1\n"
    )
    result = parse(cochrane.encode())
    assert result.database == "Cochrane Library"
    record = result.records[0]
    assert record.authors == ["Bywater, T", "Parry, L"]
    assert record.accession_numbers == ["cochrane:CN-00000001"]
    assert record.pmid == "21300000"

    zotero = (
        '\ufeff"Key","Item Type","Publication Year","Author","Title","Publication Title","DOI","Abstract Note",'
        '"Library Catalog"\n"ABCD1234","journalArticle","2022","Rotter, Carina; Whittaker, Danielle",'
        '"Myoclonus in older dogs","Journal of Example Veterinary Medicine","10.1111/jvim.1","Text","PubMed"\n'
    )
    record = parse(zotero.encode()).records[0]
    assert record.authors == ["Rotter, Carina", "Whittaker, Danielle"]
    assert record.source_database == "PubMed"
    assert record.publication_type == "journalArticle"


def test_wos_tab_delimited_utf16_with_bom() -> None:
    text = (
        "PT\tAU\tAF\tTI\tSO\tAB\tPY\tBP\tEP\tDI\tPM\tUT\r\n"
        'J\tAhmed, S\tAhmed, Sara\t"Quoted" soil carbon\tSOIL\tAbstract.\t2020\t5\t9\t10.1000/X\t32000009\t'
        "WOS:000000000000009\r\n"
    )
    result = parse(b"\xff\xfe" + text.encode("utf-16-le"))
    assert (result.format, result.database, result.encoding) == ("csv", "Web of Science", "utf-16-le")
    (record,) = result.records
    assert record.title == '"Quoted" soil carbon'  # tab-delimited WoS never quotes
    assert record.authors == ["Ahmed, Sara"]
    assert (record.pages, record.doi, record.pmid) == ("5-9", "10.1000/x", "32000009")


def test_concatenated_exports_each_with_a_bom_keep_every_record() -> None:
    part = RIS_TWO.encode("utf-8-sig")
    result = parse(part + part)
    assert [r.title for r in result.records] == ["First title", "Second title"] * 2


def test_embase_csv_fields_by_row() -> None:
    result = fixture("embase_by_row.csv")
    assert (result.format, result.database) == ("csv", "Embase")
    first, second = result.records
    assert (first.line, second.line) == (4, 16)
    assert first.title == "Home spirometry adherence in adults with bronchiectasis"
    assert first.authors == ["Haddad R.", "Novak P."]
    assert (first.year, first.pages, first.pmid) == (2023, "10-18", "36111222")
    assert first.accession_numbers == ["embase:2011112222"]
    assert second.title == "Cough diaries in children"


def test_cochrane_abstract_lines_that_look_like_tags_stay_in_the_abstract() -> None:
    text = b"Record #1 of 1\nID: CD000001\nTI: A review\nAB: Background text.\nAIM: To assess things.\nYR: 2020\n"
    record = parse(text).records[0]
    assert record.abstract == "Background text.\nAIM: To assess things."
    assert record.year == 2020


def test_bibtex_entry_that_cannot_be_parsed_is_an_error_and_the_rest_imports() -> None:
    text = b"@article{good, title={Kept}, year={2020}}\n\n@article{bad, title={Unclosed, year=2020\n"
    result = parse(text)
    assert [r.title for r in result.records] == ["Kept"]
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].line == 3


def test_medline_collective_author_keeps_its_place() -> None:
    text = b"PMID- 1\nTI  - T\nFAU - Novak, Petra\nAU  - Novak P\nCN  - Stroke Trialists Group\nFAU - Lee, Min\n"
    assert parse(text).records[0].authors == ["Novak, Petra", "Stroke Trialists Group", "Lee, Min"]


def test_cyrillic_legacy_encoding_is_not_read_as_windows_1252() -> None:
    title = "Психологическая помощь подросткам после пожаров в лесах Сибири"
    data = f"TY  - JOUR\nTI  - {title}\nAB  - {title}. {title}.\nER  - \n".encode("cp1251")
    result = parse(data)
    assert result.records[0].title == title


def test_import_error_names_the_line_once() -> None:
    with pytest.raises(ImportFileError) as error:
        parse(b'<?xml version="1.0"?>\n<xml><records>\n<record><title>x</record>\n', filename="library.xml")
    assert str(error.value).startswith("Line 3: EndNote XML is not well-formed")
    assert "library.xml" not in str(error.value)  # the caller adds the file name
    assert error.value.line == 3


def test_wos_early_access_record_takes_its_year_from_ey() -> None:
    text = b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Early\nEA JAN\nEY 2019\nER\nEF\n"
    result = parse(text)
    assert result.records[0].year == 2019
    assert result.problems == []


@pytest.mark.parametrize(
    ("value", "doi"),
    [
        ("https://doi.org/10.1016/S0140-6736(20)30183-5.", "10.1016/s0140-6736(20)30183-5"),
        ("(doi: 10.1000/abc.1)", "10.1000/abc.1"),
        (
            "10.1002/(SICI)1097-4679(199901)55:1<1::AID-JCLP1>3.0.CO;2-J",
            "10.1002/(sici)1097-4679(199901)55:1<1::aid-jclp1>3.0.co;2-j",
        ),
        ("10.1000/xyz(1)", "10.1000/xyz(1)"),
        ("See 10.1000/xyz.", "10.1000/xyz"),
    ],
)
def test_doi_trailing_punctuation_is_trimmed_but_balanced_brackets_kept(value: str, doi: str) -> None:
    assert doi_from(value) == doi


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("%0 Journal Article\n%A Smith, J\n%T A title\n", "Refer"),
        ('[{"id": "x", "type": "article-journal", "title": "T"}]\n', "JSON"),
    ],
)
def test_unsupported_formats_are_named(text: str, needle: str) -> None:
    with pytest.raises(ImportFileError, match=needle):
        detect_format(text)


def test_invalid_utf8_after_a_bom_names_the_line() -> None:
    with pytest.raises(ImportFileError, match="cannot be decoded") as error:
        parse(b"\xef\xbb\xbfTY  - JOUR\nTI  - Caf\xe9\nER  - \n")
    assert error.value.line == 2


def test_every_format_module_exposes_parse_text() -> None:
    from review.importers import bibtex, cochrane, csv_, endnote_xml, medline, ovid, ris, wos

    samples = {
        ris: "TY  - JOUR\nTI  - T\nER  - \n",
        medline: "PMID- 1\nTI  - T\n",
        wos: "PT J\nTI T\nER\n",
        ovid: "<1. >\nTI  - T\n",
        cochrane: "Record #1 of 1\nID: CN-1\nTI: T\n",
        endnote_xml: "<xml><records><record><titles><title>T</title></titles></record></records></xml>",
        bibtex: "@article{k, title={T}}\n",
        csv_: "Title,Year\nT,2020\n",
    }
    for module, text in samples.items():
        records, problems = module.parse_text(text)
        assert [r.title for r in records] == ["T"], module.__name__
        assert isinstance(problems, list)


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xef\xbb\xbf\r\n\r\n"])
def test_a_bom_and_nothing_else_is_an_empty_file(data: bytes) -> None:
    with pytest.raises(ImportFileError, match=r"empty|blank"):
        parse(data)


def test_record_headers_without_fields_are_not_records() -> None:
    with pytest.raises(ImportFileError, match="No Ovid record"):
        parse(b"<1. >\n<2. >\n", format="ovid")
    with pytest.raises(ImportFileError, match="No Cochrane record"):
        parse(b"Record #1 of 2\n\nRecord #2 of 2\n", format="cochrane")
